/* The block server's image, carried by init (boot/modules.S packs a fixed
 * set of servers; init creates this one from here, see blk.c). */
	.section .rodata.blk_image, "a"
	.balign 8
	.global blk_image_start
blk_image_start:
	.incbin "servers/blk.bin"
	.global blk_image_end
blk_image_end:
