local Config = {}
Config.FollowStart = true
Config.Decap = true
Config.Target = {}
table.insert(Config.Target,
{
["Desc"] = "all",
["Mode"] = "File",
["Path"] = "/mnt/store0/pushpcap/test_postprocess/",
["Split"] = "--split-time 60e9",
["Post"] = "/opt/fmadio/etc/push_pcap_post.lua",
["SplitCmd"] = "",
["FileName"] = "--filename-tstr-HHMMSS",
["FilterBPF"] = "",
["FilterFrame"] = ""
})
return Config
