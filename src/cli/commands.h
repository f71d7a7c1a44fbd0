#pragma once
// The subcommands; main.cc only parses the command line and calls one of these.

#include <cstdint>
#include <string>
#include <vector>

#include "config/push_config.h"
#include "push/engine.h"

namespace pushcap::cli {

/// Exit codes shared by the subcommands.
enum ExitCode : int {
  kExitOk = 0,
  kExitRunErrors = 1,  ///< the run finished but an input was damaged or a target failed
  kExitUsage = 2,      ///< bad arguments or a bad config: nothing was touched
};

/// Options of `pushcap run`.
struct RunOptions {
  std::string config;
  std::vector<std::string> inputs;
  std::string store;    ///< --store: a capture store (realtime, or --offline STREAM, --from/--to)
  std::string capture;  ///< --capture: which capture of the store (default: the newest stream's)
  std::string from, to;
  std::string state_dir;     ///< realtime push: checkpoints (default ./pushcap-state)
  int metrics_port = -1;     ///< --metrics PORT: Prometheus text on 127.0.0.1
  std::string follow;        ///< --follow DIR: another program's rolling capture files
  double quiet_seconds = 2;  ///< --quiet-period: a followed file is done after this long without growth
  double grace_seconds = 0;  ///< --grace: time splits close this long after their end
  std::string log_dir;
  bool no_progress = false;
};

/// Options of `pushcap capture`.
struct CaptureArgs {
  std::string store;
  std::vector<std::string> interfaces;
  std::string name;
  std::string max_size, max_age, segment_size = "256M", buffer = "256M", queue = "128M";
  std::uint32_t snaplen = 262144;
  std::string filter;
  std::string tstamp = "auto";
  std::string log_dir;
  int retention_every = 5;  ///< seconds between retention passes
};

/// `pushcap capture --store DIR --iface IF...`: live interfaces into a capture store.
int capture_command(const CaptureArgs& args);
/// Options of `pushcap import`.
struct ImportArgs {
  std::string store;
  std::string name;
  std::string segment_size = "256M";
  std::vector<std::string> inputs;
};

/// `pushcap import --store DIR --name NAME CAPTURE...`: capture files into a new stream.
int import_command(const ImportArgs& args);

/// Options of `pushcap status`.
struct StatusArgs {
  std::string store;
  std::string state_dir;
  bool json = false;
};

/// `pushcap status --store DIR`: streams, drops, watermark; each target's lag, rates and spool.
int status_command(const StatusArgs& args);
/// `pushcap run --config F --offline INPUT...`
int run_command(const RunOptions& options);
/// `pushcap check --config F`
int check_command(const std::string& config_path);
/// `pushcap split [pcap_split flags] [INPUT...]` (stdin when no input is named)
int split_command(const std::vector<std::string>& args);
/// An offline push over capture files (the run and split commands).
int run_files(const config::PushConfig& cfg, const std::vector<std::string>& input_args, const push::EngineOptions& eo);

/// Installs SIGINT/SIGTERM handlers that ask the engine to finalise and stop; ignores SIGPIPE.
void install_signal_handlers();
/// Installs the SIGHUP handler that asks a realtime push to reload its config.
void install_reload_handler();

}  // namespace pushcap::cli
