// pushcap: pushes packet captures, split, filtered and named, to where people need them.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace {

CLI::App* add_run(CLI::App& app, pushcap::cli::RunOptions& run) {
  auto* run_cmd = app.add_subcommand("run", "run a push config over captures");
  run_cmd->add_option("-c,--config", run.config, "the Lua push config")->required();
  run_cmd
      ->add_option("--offline", run.inputs,
                   "captures to push: files, directories, - for stdin; with --store: a stream name")
      ->expected(1, -1);
  run_cmd->add_option("--store", run.store, "a capture store: follow it (realtime), or push part of it again");
  run_cmd->add_option("--capture", run.capture, "with --store: the capture to follow (default: the newest stream's)");
  run_cmd->add_option("--from", run.from, "with --store: push packets from this time (2024-07-28T04:05:00Z)");
  run_cmd->add_option("--to", run.to, "with --store: push packets before this time");
  run_cmd->add_option("--follow", run.follow, "follow another program's rolling capture files in DIR (realtime)");
  run_cmd
      ->add_option("--quiet-period", run.quiet_seconds,
                   "with --follow: seconds without growth after which a file is done (when a later one exists)")
      ->capture_default_str();
  run_cmd
      ->add_option("--grace", run.grace_seconds,
                   "realtime push: a time split is published this many seconds after its end (late packets)")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  run_cmd->add_option("--metrics", run.metrics_port, "realtime push: Prometheus text on http://127.0.0.1:PORT/metrics")
      ->check(CLI::Range(0, 65535));
  run_cmd->add_option("--state-dir", run.state_dir,
                      "where each target keeps its checkpoint (realtime: default ./pushcap-state; offline: none "
                      "unless given)");
  run_cmd->add_option("inputs", run.inputs, "more captures");
  run_cmd->add_option("--log-dir", run.log_dir, "log directory (default: Config.LogDir, else ./pushcap-log)");
  run_cmd->add_flag("--no-progress", run.no_progress, "no progress line on a terminal");
  return run_cmd;
}

CLI::App* add_capture(CLI::App& app, pushcap::cli::CaptureArgs& cap) {
  auto* cap_cmd = app.add_subcommand("capture", "capture live interfaces into a capture store");
  cap_cmd->add_option("--store", cap.store, "the store directory")->required();
  cap_cmd->add_option("-i,--iface", cap.interfaces, "an interface to capture (repeatable)")->required();
  cap_cmd->add_option("--name", cap.name,
                      "capture name; streams are NAME_YYYYMMDD_HHMM (default: the first interface)");
  cap_cmd->add_option("--max-size", cap.max_size, "retention: delete the oldest segments past this size (500G)");
  cap_cmd->add_option("--max-age", cap.max_age, "retention: delete segments older than this (7d, 12h)");
  cap_cmd->add_option("--retention-every", cap.retention_every, "seconds between retention passes")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cap_cmd->add_option("--segment-size", cap.segment_size, "size of one store segment")->capture_default_str();
  cap_cmd->add_option("--buffer", cap.buffer, "kernel ring per interface")->capture_default_str();
  cap_cmd->add_option("--queue", cap.queue, "memory between capture and disk")->capture_default_str();
  cap_cmd->add_option("--snaplen", cap.snaplen, "bytes kept of each packet")->capture_default_str();
  cap_cmd->add_option("--filter", cap.filter, "BPF filter (default: every packet)");
  cap_cmd->add_option("--tstamp", cap.tstamp, "timestamp source: auto, host, adapter, adapter_unsynced")
      ->capture_default_str();
  cap_cmd->add_option("--log-dir", cap.log_dir, "also write the capture log and status lines into DIR");
  return cap_cmd;
}

CLI::App* add_import(CLI::App& app, pushcap::cli::ImportArgs& imp) {
  auto* imp_cmd = app.add_subcommand("import", "write capture files into a capture store as a new stream");
  imp_cmd->add_option("--store", imp.store, "the store directory")->required();
  imp_cmd->add_option("--name", imp.name, "capture name; the stream is NAME_YYYYMMDD_HHMM")->required();
  imp_cmd->add_option("--segment-size", imp.segment_size, "size of one store segment")->capture_default_str();
  imp_cmd->add_option("inputs", imp.inputs, "captures: files, directories, - for stdin")->required();
  return imp_cmd;
}

CLI::App* add_status(CLI::App& app, pushcap::cli::StatusArgs& status) {
  auto* status_cmd = app.add_subcommand("status", "a capture store's streams and a realtime push's targets");
  status_cmd->add_option("--store", status.store, "the store directory")->required();
  status_cmd->add_option("--state-dir", status.state_dir, "the push's state directory (default ./pushcap-state)");
  status_cmd->add_flag("--json", status.json, "print JSON");
  return status_cmd;
}

}  // namespace

int main(int argc, char** argv) {
  // `pushcap split` takes the original pcap_split's flags verbatim; parse those ourselves so the
  // strings mean the same in a config's Split/FileName/SplitCmd and on the command line.
  if (argc >= 2 && std::string(argv[1]) == "split") {
    return pushcap::cli::split_command(std::vector<std::string>(argv + 2, argv + argc));
  }

  CLI::App app{"pushcap: pushes packet captures, split, filtered and named, to files"};
  app.set_version_flag("--version", "pushcap " PUSHCAP_VERSION);
  app.require_subcommand(1);
  pushcap::cli::RunOptions run;
  pushcap::cli::CaptureArgs cap;
  pushcap::cli::ImportArgs imp;
  pushcap::cli::StatusArgs status;
  std::string check_config;
  auto* run_cmd = add_run(app, run);
  auto* check_cmd = app.add_subcommand("check", "validate a push config and print its targets; touches nothing");
  check_cmd->add_option("-c,--config", check_config, "the Lua push config")->required();
  auto* cap_cmd = add_capture(app, cap);
  auto* imp_cmd = add_import(app, imp);
  auto* status_cmd = add_status(app, status);

  app.add_subcommand("split", "split one capture stream with pcap_split's flags (see pushcap split --help)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : pushcap::cli::kExitUsage;
  }
  if (*run_cmd) return pushcap::cli::run_command(run);
  if (*cap_cmd) return pushcap::cli::capture_command(cap);
  if (*status_cmd) return pushcap::cli::status_command(status);
  if (*imp_cmd) return pushcap::cli::import_command(imp);
  if (*check_cmd) return pushcap::cli::check_command(check_config);
  return pushcap::cli::kExitUsage;
}
