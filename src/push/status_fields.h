#pragma once
// The field names of a push's status: the JSON status lines in its logs (the original's names:
// Process, Splits, TotalByte, ...) and <state dir>/status.json, which `pushcap status` reads.
// Defined once, for the writer (StatusReporter) and the reader (the status command).

namespace pushcap::push::status_field {

// status.json, the document
inline constexpr const char* kPid = "pid";
inline constexpr const char* kUpdatedNs = "updated_ns";
inline constexpr const char* kPausedDoc = "paused";
inline constexpr const char* kSourceBytes = "source_bytes";
inline constexpr const char* kSourceLagSeconds = "source_lag_seconds";
inline constexpr const char* kTargets = "targets";

// one target (a status line, and an entry of "targets")
inline constexpr const char* kProcess = "Process";
inline constexpr const char* kIsUp = "IsUp";
inline constexpr const char* kSplits = "Splits";
inline constexpr const char* kTotalByte = "TotalByte";
inline constexpr const char* kTotalPkt = "TotalPkt";
inline constexpr const char* kTransferMbps = "TransferMbps";
inline constexpr const char* kPcapTs = "PCAPTS";
inline constexpr const char* kFilterBpf = "FilterBPF";
inline constexpr const char* kFilterFrame = "FilterFrame";
inline constexpr const char* kTarget = "Target";
inline constexpr const char* kFiltered = "Filtered";
inline constexpr const char* kDropped = "Dropped";
inline constexpr const char* kLagSeconds = "LagSeconds";
inline constexpr const char* kPaused = "Paused";
inline constexpr const char* kResumeSkipped = "ResumeSkipped";
inline constexpr const char* kDecap = "Decap";
inline constexpr const char* kPipeFailures = "PipeFailures";
inline constexpr const char* kScripts = "Scripts";
inline constexpr const char* kUpload = "Upload";

// "Upload"
inline constexpr const char* kUploadDone = "Done";
inline constexpr const char* kUploadPending = "Pending";
inline constexpr const char* kUploadRetries = "Retries";
inline constexpr const char* kSpoolBytes = "SpoolBytes";
inline constexpr const char* kSpoolWaits = "SpoolWaits";
inline constexpr const char* kLastError = "LastError";

}  // namespace pushcap::push::status_field
