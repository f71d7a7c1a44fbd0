#include "config/decap_fields.h"

namespace pushcap::config {

const std::vector<std::string> kDecapFields = {"Decap",       "Trailer",         "TrailerFCS",
                                               "HWTimestamp", "SrcMacTimestamp", "VXLANPorts"};

DecapFields DecapFields::over(const DecapFields& base) const {
  DecapFields r = *this;
  if (!r.decap) r.decap = base.decap;
  if (!r.trailer_fcs) r.trailer_fcs = base.trailer_fcs;
  if (!r.hw_timestamp) r.hw_timestamp = base.hw_timestamp;
  if (!r.src_mac_timestamp) r.src_mac_timestamp = base.src_mac_timestamp;
  if (!r.trailer) r.trailer = base.trailer;
  if (!r.vxlan_ports) r.vxlan_ports = base.vxlan_ports;
  return r;
}

decap::DecapOptions DecapFields::options() const {
  decap::DecapOptions o;
  o.decap = decap.value_or(false);
  o.trailer = trailer.value_or(decap::TrailerKind::kNone);
  o.trailer_fcs = trailer_fcs.value_or(false);
  o.hw_timestamp = hw_timestamp.value_or(false);
  o.src_mac_timestamp = src_mac_timestamp.value_or(false);
  if (vxlan_ports) o.vxlan_ports = *vxlan_ports;
  return o;
}

namespace {

// VXLANPorts: a port, or a list of ports.
Result<std::vector<std::uint16_t>> read_ports(lua_State* L) {
  std::vector<std::uint16_t> ports;
  auto add = [&](int idx) -> bool {
    if (!lua_isinteger(L, idx)) return false;
    lua_Integer v = lua_tointeger(L, idx);
    if (v < 1 || v > 65535) return false;
    ports.push_back(static_cast<std::uint16_t>(v));
    return true;
  };
  bool ok = true;
  if (lua_istable(L, -1)) {
    lua_Unsigned n = lua_rawlen(L, -1);
    for (lua_Unsigned i = 1; i <= n && ok; ++i) {
      lua_rawgeti(L, -1, static_cast<lua_Integer>(i));
      ok = add(-1);
      lua_pop(L, 1);
    }
    ok = ok && ports.size() <= decap::DecapOptions::kMaxExtraVxlanPorts;
  } else {
    ok = add(-1);
  }
  if (!ok) {
    return fail(Errc::kInvalidArgument, "field VXLANPorts must be a UDP port or a list of up to " +
                                            std::to_string(decap::DecapOptions::kMaxExtraVxlanPorts) +
                                            " ports (e.g. {8472})");
  }
  return ports;
}

}  // namespace

Result<void> read_decap_field(lua_State* L, const ConfigContext& ctx, const std::string& where, const std::string& key,
                              DecapFields& out) {
  if (key == "Trailer") {
    auto s = as_string(L, ctx, where, key);
    if (!s) return fail(s.error());
    auto kind = decap::parse_trailer_kind(lower(*s));
    if (!kind) {
      return fail(ctx.error(where, "field Trailer \"" + *s + "\" is not a known trailer (use one of " +
                                       decap::trailer_kind_names() + ")"));
    }
    out.trailer = *kind;
    return {};
  }
  if (key == "VXLANPorts") {
    auto ports = read_ports(L);
    if (!ports) return fail(ctx.error(where, ports.error().message()));
    out.vxlan_ports = std::move(*ports);
    return {};
  }
  auto b = as_bool(L, ctx, where, key);
  if (!b) return fail(b.error());
  if (key == "Decap") out.decap = *b;
  if (key == "TrailerFCS") out.trailer_fcs = *b;
  if (key == "HWTimestamp") out.hw_timestamp = *b;
  if (key == "SrcMacTimestamp") out.src_mac_timestamp = *b;
  return {};
}

}  // namespace pushcap::config
