/*
 * The system configuration: a device tree written by tools/hvrun and read
 * here with libfdt (schema in the README). Anything malformed is reported
 * by name and the VM is not created.
 */
#include "init.h"

#include <hv/layout.h>
#include <hv/log.h>
#include <libfdt.h>
#include <string.h>

static int read_range(const void *dtb, int node, const char *prop, uint32_t *pa, uint32_t *size)
{
	int len;
	const fdt32_t *v = fdt_getprop(dtb, node, prop, &len);
	if (!v)
		return 0;
	if (len != 8)
		return -1;
	*pa = fdt32_to_cpu(v[0]);
	*size = fdt32_to_cpu(v[1]);
	return 1;
}

static int read_u32(const void *dtb, int node, const char *prop, uint32_t *out)
{
	int len;
	const fdt32_t *v = fdt_getprop(dtb, node, prop, &len);
	if (!v || len != 4)
		return -1;
	*out = fdt32_to_cpu(*v);
	return 0;
}

static int copy_string(const void *dtb, int node, const char *prop, char *out, size_t max)
{
	int len;
	const char *v = fdt_getprop(dtb, node, prop, &len);
	if (!v)
		return 0;
	if (len < 1 || (size_t)len > max || v[len - 1] != '\0')
		return -1;
	memcpy(out, v, (size_t)len);
	return 1;
}

static void note_image_end(struct config *cfg, uint32_t pa, uint32_t size)
{
	if (pa + size > cfg->images_end)
		cfg->images_end = pa + size;
}

static int read_vm(const void *dtb, int node, struct vm_config *vm, struct config *cfg)
{
	const char *what = "name";
	if (copy_string(dtb, node, "name", vm->name, sizeof(vm->name)) != 1)
		goto bad;
	what = "cpus";
	if (read_u32(dtb, node, "cpus", &vm->cpus) || vm->cpus < 1 || vm->cpus > 4)
		goto bad;
	what = "memory-mib";
	if (read_u32(dtb, node, "memory-mib", &vm->mem_mib) || vm->mem_mib < 8 ||
	    vm->mem_mib > 2048)
		goto bad;
	what = "kernel";
	if (read_range(dtb, node, "kernel", &vm->kernel_pa, &vm->kernel_size) != 1 ||
	    !vm->kernel_size)
		goto bad;
	note_image_end(cfg, vm->kernel_pa, vm->kernel_size);
	what = "initrd";
	if (read_range(dtb, node, "initrd", &vm->initrd_pa, &vm->initrd_size) < 0)
		goto bad;
	note_image_end(cfg, vm->initrd_pa, vm->initrd_size);
	what = "bootargs";
	if (copy_string(dtb, node, "bootargs", vm->bootargs, sizeof(vm->bootargs)) < 0)
		goto bad;
	vm->testhooks = fdt_getprop(dtb, node, "testhooks", NULL) != NULL;
	vm->rng = fdt_getprop(dtb, node, "rng", NULL) != NULL;
	vm->disk = fdt_getprop(dtb, node, "disk", NULL) != NULL;
	vm->net = fdt_getprop(dtb, node, "net", NULL) != NULL;
	return 0;
bad:
	log_printf("config: VM node %s: missing or malformed '%s'\n", fdt_get_name(dtb, node, NULL),
	           what);
	return -1;
}

static void read_tests(const void *dtb, struct config *cfg)
{
	int count = fdt_stringlist_count(dtb, 0, "test-servers");
	for (int i = 0; i < count && cfg->nr_tests < 4; i++) {
		const char *name = fdt_stringlist_get(dtb, 0, "test-servers", i, NULL);
		if (name && strlen(name) < HV_NAME_MAX)
			strcpy(cfg->tests[cfg->nr_tests++], name);
	}
}

bool config_wants_disk(const struct config *cfg)
{
	for (unsigned i = 0; i < cfg->nr_vms; i++)
		if (cfg->vm[i].disk)
			return true;
	return false;
}

bool config_wants_net(const struct config *cfg)
{
	for (unsigned i = 0; i < cfg->nr_vms; i++)
		if (cfg->vm[i].net)
			return true;
	return false;
}

int config_read(const void *dtb, struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	if (fdt_check_header(dtb) || fdt_node_check_compatible(dtb, 0, "hv,config")) {
		log_printf("config: no valid configuration device tree at 0x%08x\n",
		           (unsigned)HV_PA_CONFIG_DTB);
		return -1;
	}
	int vms = fdt_path_offset(dtb, "/vms"), node;
	if (vms < 0) {
		log_printf("config: no /vms node\n");
		return -1;
	}
	fdt_for_each_subnode(node, dtb, vms)
	{
		if (cfg->nr_vms == HV_MAX_VMS) {
			log_printf("config: more than %d VMs, the rest ignored\n", HV_MAX_VMS);
			break;
		}
		if (read_vm(dtb, node, &cfg->vm[cfg->nr_vms], cfg) == 0)
			cfg->nr_vms++;
	}
	read_tests(dtb, cfg);
	return 0;
}
