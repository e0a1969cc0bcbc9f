#!/bin/sh
# samples/stats-ksr.cfg (the statistics page in Lua with the KSR package,
# samples/stats-ksr.lua, which also answers SIP) run by sipvm on
# 127.0.0.1:5094, udp and tcp: the page and its counters with curl, SIP
# requests, the other URLs and methods, and every reply compared with
# Kamailio 5.6.3's (golden/stats-ksr/, capture.sh). Skipped until sipvm
# runs the sample. LUASAMPLES_SERVER=kamailio runs it against Kamailio
# instead. TAP.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
sample_test stats-ksr 5094
