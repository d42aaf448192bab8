/* Server images packed into the hypervisor image; boot.c lists them. */
#define MODULE(name, file)                 \
	.balign 4096;                      \
	.global _mod_##name##_start;       \
_mod_##name##_start:                      \
	.incbin file;                      \
	.global _mod_##name##_end;         \
_mod_##name##_end:

	.section .modules, "a"
	MODULE(init, "servers/init.bin")
	MODULE(vmm, "servers/vmm.bin")
	MODULE(console, "servers/console.bin")
	MODULE(rng, "servers/rng.bin")
	MODULE(badsys, "servers/badsys.bin")
	MODULE(ipcbench, "servers/ipcbench.bin")
