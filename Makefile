# sipvm — build, test and run.
#   make          build bin/cfgc (and bin/sipvm once it exists)
#   make test     install what is missing, build, run every test
#   make run      install what is missing, build, run the default sample
#   make san      the same build with AddressSanitizer + UBSan (build-san/)
#   make conformance   cfgc --check over ../shared/corpus
#   make fuzz     libFuzzer harness over the preprocessor and parser (60 s)

SAN ?= 0
ifeq ($(SAN),1)
  B := build-san
  SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  OPT := -O1
else
  B := build
  SANFLAGS :=
  OPT := -O2
endif
BIN := bin

CC ?= cc
PKGS := lua5.1 gnutls libcurl sqlite3 mysqlclient
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CFLAGS := -std=gnu11 $(OPT) -g -Wall -Wextra -Werror $(SANFLAGS) -MMD -MP
LDFLAGS := $(SANFLAGS)
LDLIBS :=
BISON ?= bison
FLEX ?= flex

VM_SRC := $(wildcard vm/*.c)
RT_SRC := $(wildcard runtime/*.c)
STD_SRC := $(wildcard stdlib/*.c)
LIB_SRC := $(VM_SRC) $(RT_SRC) $(STD_SRC)
CFGC_SRC := $(filter-out cfgc/cfgc_main.c,$(wildcard cfgc/*.c))
GEN_C := $(B)/gen/cfgc_lex.c $(B)/gen/cfgc_parse.c $(B)/gen/cfgc_kamcat.c

LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
CFGC_OBJ := $(CFGC_SRC:%.c=$(B)/%.o) $(GEN_C:%.c=%.o)

.PHONY: all deps test run san conformance fuzz clean check-deps bench
all: $(BIN)/cfgc

$(B)/%.o: %.c | $(B)/gen/cfgc_parse.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -I$(B)/gen -Icfgc -c $< -o $@

$(B)/gen/%.o: $(B)/gen/%.c
	$(CC) $(filter-out -Werror,$(CFLAGS)) -Wno-unused-function -Wno-sign-compare -Wno-unused-parameter -I$(B)/gen -Icfgc -c $< -o $@

$(B)/gen/cfgc_parse.c $(B)/gen/cfgc_parse.h: cfgc/cfgc_parse.y
	@mkdir -p $(B)/gen
	$(BISON) -Wall -Werror=conflicts-sr -Werror=conflicts-rr -o $(B)/gen/cfgc_parse.c --defines=$(B)/gen/cfgc_parse.h $<

$(B)/gen/cfgc_lex.c: cfgc/cfgc_lex.l $(B)/gen/cfgc_parse.h
	@mkdir -p $(B)/gen
	$(FLEX) -o $@ $<

$(B)/gen/cfgc_kamcat.c: scripts/gen-catalog.awk $(wildcard cfgc/data/kam-*.tsv)
	@mkdir -p $(B)/gen
	awk -f scripts/gen-catalog.awk cfgc/data/kam-functions.tsv cfgc/data/kam-params.tsv \
	    cfgc/data/kam-pvs.tsv cfgc/data/kam-transformations.tsv > $@.tmp && mv $@.tmp $@

$(B)/libsipvm.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BIN)/cfgc: $(B)/cfgc/cfgc_main.o $(CFGC_OBJ) $(B)/libsipvm.a
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

deps:
	@sh scripts/install-deps.sh

test: deps
	$(MAKE) all
	sh regress/run-tests.sh

run: deps
	$(MAKE) all
	sh scripts/run-sample.sh

san:
	$(MAKE) SAN=1 BIN=build-san/bin all

conformance: all
	sh regress/conformance/run.sh

check-deps:
	sh scripts/check-deps.sh

clean:
	rm -rf build build-san bin

-include $(shell find $(B) -name '*.d' 2>/dev/null)
