-- The original's push_realtime.lua (FMADIO "Automatic Push PCAP"), unchanged but for its paths.
local Config = {}

Config.Target = {}

-- push all pcap data to out/push/all_*.pcap
table.insert(Config.Target,
{
    Desc      = "pcap-all",
    Mode      = "File",
    Path      = "out/push/all",
    Split     = "--split-time 60e9",
    FileName  = "--filename-epoch-sec-startend",
    FilterBPF = nil
})

-- push all tcp data to out/push/tcp_*.pcap
table.insert(Config.Target,
{
    Desc      = "pcap-tcp",
    Mode      = "File",
    Path      = "out/push/tcp",
    Split     = "--split-time 60e9",
    FileName  = "--filename-epoch-sec-startend",
    FilterBPF = "net 192.168.1.0/24 and tcp"
})

return Config
