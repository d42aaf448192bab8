test_switch_SRCS := servers/devices/switch/switch.c
