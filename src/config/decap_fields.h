#pragma once
// The fields that set how a target's packets are de-encapsulated (Decap, Trailer, TrailerFCS,
// HWTimestamp, SrcMacTimestamp, VXLANPorts). Written in Config they are defaults for every
// target; a target's own field wins.

#include <lua.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/lua_values.h"
#include "decap/frame_pipeline.h"
#include "decap/trailer.h"

namespace pushcap::config {

extern const std::vector<std::string> kDecapFields;

/// Decap fields as written in Config or a target; unset ones inherit.
struct DecapFields {
  std::optional<bool> decap, trailer_fcs, hw_timestamp, src_mac_timestamp;
  std::optional<decap::TrailerKind> trailer;
  std::optional<std::vector<std::uint16_t>> vxlan_ports;

  /// These fields over `base`.
  [[nodiscard]] DecapFields over(const DecapFields& base) const;
  [[nodiscard]] decap::DecapOptions options() const;
};

/// Reads the decap field `key` (one of kDecapFields) from the value on top of the stack.
Result<void> read_decap_field(lua_State* L, const ConfigContext& ctx, const std::string& where, const std::string& key,
                              DecapFields& out);

}  // namespace pushcap::config
