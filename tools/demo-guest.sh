#!/bin/sh
# demo-guest.sh - what the demo's guest does: log with several clients and try to evade capture.
logger -t demo "hello from logger"
python3 -c 'import syslog; syslog.openlog("pydemo"); syslog.syslog(syslog.LOG_WARNING, "hello from python")'
echo "guest: I am $(id -un), and I see $(ls /proc | grep -c '^[0-9]') processes"
rm -f /dev/log 2>/dev/null || echo "guest: rm /dev/log refused (read-only file system): capture cannot be bypassed"
printf '<13>raw \377 bytes\000' | python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(sys.stdin.buffer.read(), "/dev/log")'
logger -t demo "goodbye"
