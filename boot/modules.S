/* Server images packed into the hypervisor image, and their table
 * (struct boot_module in boot.c): name, start, end, in this order. */
.macro MODULE name, file
	.section .modules, "a"
	.balign 4096
1:	.incbin "\file"
2:
	.section .rodata.module_names, "a"
3:	.asciz "\name"
	.section .rodata.module_table, "a"
	.word	3b, 1b, 2b
.endm

	.section .rodata.module_table, "a"
	.balign 4
	.global	module_table
module_table:
	MODULE init, "servers/init.bin"
	MODULE vmm, "servers/vmm.bin"
	MODULE console, "servers/console.bin"
	MODULE rng, "servers/rng.bin"
	MODULE blk, "servers/blk.bin"
	MODULE switch, "servers/switch.bin"
	MODULE badsys, "servers/badsys.bin"
	MODULE ipcbench, "servers/ipcbench.bin"
	.section .rodata.module_table, "a"
	.global	module_table_end
module_table_end:
