# Makefile - builds vmmsec, its internal library, tests, fuzzers and benchmarks.
CC ?= gcc
PREFIX ?= /usr/local
BUILD ?= build
SAN ?=

WARN := -Wall -Wextra -Wshadow -Wmissing-prototypes -Werror
HARDEN := -fstack-protector-strong -fstack-clash-protection -fPIE -fcf-protection
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=gnu11 -DVMMSEC_VERSION=\"0.1.0\" $(WARN) $(HARDEN) -D_GNU_SOURCE -Isrc $(CFLAGS)
ALL_LDFLAGS := -pie -Wl,-z,relro,-z,now,-z,noexecstack $(LDFLAGS)
ifeq ($(SAN),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1
ALL_LDFLAGS += -fsanitize=address,undefined
else
ALL_CFLAGS += -D_FORTIFY_SOURCE=2
endif
LIBS := -lseccomp -lsodium -lbpf

LIB_SRCS := $(sort $(filter-out src/cli/main.c %.bpf.c,$(wildcard src/*/*.c)))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
UNIT_BINS := $(UNIT_SRCS:%.c=$(BUILD)/%)
CLIENT_SRCS := $(sort $(wildcard tests/clients/*.c))
CLIENT_BINS := $(CLIENT_SRCS:%.c=$(BUILD)/%)
BENCH_SRCS := $(sort $(wildcard bench/*.c))
BENCH_BINS := $(BENCH_SRCS:%.c=$(BUILD)/%)
TOOL_SRCS := $(sort $(wildcard tests/tools/*.c))
TOOL_BINS := $(TOOL_SRCS:%.c=$(BUILD)/%)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/*.c))
HDRS := $(wildcard src/*/*.h tests/unit/*.h)

.PHONY: all deps install check asan fuzz bench demo clean format format-check tests vm-check

all: $(BUILD)/vmmsec

$(BUILD)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The BPF-LSM backend: a CO-RE object built with clang against the build host's
# BTF (vmlinux.h), embedded in the library through a bpftool skeleton.
BPF_CLANG ?= clang
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
%/vmlinux.h:
	@mkdir -p $(dir $@)
	bpftool btf dump file $(VMLINUX_BTF) format c >$@.tmp && mv $@.tmp $@
%/bpf/vmmsec.bpf.o: src/lsm/vmmsec.bpf.c src/lsm/lsm_abi.h %/vmlinux.h
	@mkdir -p $(dir $@)
	$(BPF_CLANG) -O2 -g -target bpf -D__TARGET_ARCH_x86 -Wall -Werror -I$*/ -Isrc -c -o $@ $<
%/vmmsec.skel.h: %/bpf/vmmsec.bpf.o
	bpftool gen skeleton $< name vmmsec_bpf >$@.tmp && mv $@.tmp $@
$(BUILD)/src/lsm/bpf.o: $(BUILD)/vmmsec.skel.h
$(BUILD)/src/lsm/bpf.o: ALL_CFLAGS += -I$(BUILD)
.SECONDARY: $(BUILD)/vmlinux.h $(BUILD)/bpf/vmmsec.bpf.o

$(BUILD)/libvmmsec.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/vmmsec: $(BUILD)/src/cli/main.o $(BUILD)/libvmmsec.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/libvmmsec.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libvmmsec.a $(LIBS)

# Test tools link the library but are not tests themselves.
$(BUILD)/tests/tools/%: tests/tools/%.c $(BUILD)/libvmmsec.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libvmmsec.a $(LIBS)

# Clients run inside guests; they link only what they need.
$(BUILD)/tests/clients/%: tests/clients/%.c $(wildcard tests/clients/*.h src/util/util.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -luring -lpthread

$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -lseccomp -lpthread

# A broker whose every decision allows, for tests/integration/wall.sh alone:
# what the Landlock wall stops when the broker is wrong.  Never installed.
$(BUILD)/tests/fault/fsop.o: src/mac/fsop.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DVMMSEC_FAULT_BROKER_ALLOWS -c -o $@ $<
$(BUILD)/tests/fault/vmmsec-allows: $(BUILD)/src/cli/main.o $(BUILD)/tests/fault/fsop.o \
		$(filter-out $(BUILD)/src/mac/fsop.o,$(LIB_OBJS))
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

tests: $(BUILD)/vmmsec $(UNIT_BINS) $(TOOL_BINS) $(CLIENT_BINS) $(BENCH_BINS) \
	$(BUILD)/tests/fault/vmmsec-allows

deps:
	@sh tools/deps.sh

install: $(BUILD)/vmmsec
	install -D -m 0755 $(BUILD)/vmmsec $(DESTDIR)$(PREFIX)/bin/vmmsec
	install -D -m 0644 docs/vmmsec.1 $(DESTDIR)$(PREFIX)/share/man/man1/vmmsec.1

# Every tier: gcc build, clang build, ASan+UBSan build, fuzzers, then one summary line.
# The builds use every CPU unless a -j was given (a plain `make check` saves a
# minute on 2 CPUs).
CHECK_JOBS := $(if $(findstring -j,$(MAKEFLAGS)),,-j$(shell nproc 2>/dev/null || echo 1))
check: deps
	$(MAKE) $(CHECK_JOBS) tests
	$(MAKE) $(CHECK_JOBS) CC=clang BUILD=build-clang tests
	$(MAKE) $(CHECK_JOBS) SAN=1 BUILD=build-asan tests
	$(MAKE) $(CHECK_JOBS) fuzz
	@bash tests/run

asan:
	$(MAKE) SAN=1 BUILD=build-asan tests

# libFuzzer targets: clang only; each links the library sources directly.
FUZZ_BUILD := build-fuzz
FUZZ_CFLAGS := -std=gnu11 -DVMMSEC_VERSION=\"0.1.0\" -D_GNU_SOURCE -Isrc -g -O1 -fsanitize=fuzzer,address,undefined
fuzz: $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
$(FUZZ_BUILD)/%: tests/fuzz/%.c $(LIB_SRCS) $(HDRS) $(FUZZ_BUILD)/vmmsec.skel.h
	@mkdir -p $(FUZZ_BUILD)
	clang $(FUZZ_CFLAGS) -I$(FUZZ_BUILD) -o $@ $< $(LIB_SRCS) $(LIBS)

bench: deps
	$(MAKE) tests
	@bash bench/run
	@bash bench/mac_run
	@bash bench/wall_run
	@bash bench/lsm_run
	@BENCH_LSM_ICOUNT=1 bash bench/lsm_run

demo: deps
	$(MAKE) all
	@bash tools/demo.sh

format:
	clang-format -i $(wildcard src/*/*.[ch] tests/*/*.[ch] bench/*.c)
format-check:
	clang-format --dry-run -Werror $(wildcard src/*/*.[ch] tests/*/*.[ch] bench/*.c)

clean:
	rm -rf build build-clang build-asan build-fuzz

# VM tier: vmmsec on Debian's 6.1 kernel under QEMU (tools/vm/vm-run), then on newer ones (newer.sh).
vm-check: tests
	@bash tests/vm/smoke.sh
	@bash tests/vm/lsm.sh
	@bash tests/vm/newer.sh
