test_psci_SRCS := servers/vmm/psci.c
