#!/bin/sh
# The Post script of seeds/000 (push_pcap_post.lua) as a shell script: compress the finished
# split, then write the MD5 of the compressed file beside it. The original calls
# /usr/bin/zstdseekable_compression FILE 1048576; Debian's zstd stands in for it.
FileName="$1"
echo "$FileName"
Cmd="zstd -q -f -k $FileName -o $FileName.zst"
echo "$Cmd"
zstd -q -f -k "$FileName" -o "$FileName.zst" || exit 1
Cmd="md5sum $FileName.zst > $FileName.zst.md5"
echo "$Cmd"
md5sum "$FileName.zst" > "$FileName.zst.md5"
