# grntorch developer entry points.  On a fresh Debian machine:
#   make demo   # install system deps, build, infer a network on bundled data
#   make test   # everything above, then R tests + engine (Catch2) tests
# LIB=/path installs into (and tests from) a private R library.
R ?= R
RSCRIPT ?= Rscript
LIB ?=
# VIGNETTES=no: install without building the vignettes (faster, for development).
VIGNETTES ?= yes
ifneq ($(LIB),)
  INSTALL_LIB = -l $(LIB)
  export R_LIBS := $(LIB):$(R_LIBS)
endif

.PHONY: deps install install-pkg vignettes demo test test-r test-engine engine check bioccheck bench document clean

deps:
	@sh tools/install-deps.sh

install: deps
	@$(MAKE) --no-print-directory install-pkg
	@if [ "$(VIGNETTES)" != "no" ]; then $(MAKE) --no-print-directory vignettes; fi
	@echo "== installed (log: install.log)"

# The package alone (no vignettes).
install-pkg:
	@if [ -n "$(LIB)" ]; then mkdir -p "$(LIB)"; fi
	@rm -rf inst/doc build/vignette.rds
	@echo "== building and installing grntorch"
	@MAKEFLAGS=-j2 $(R) CMD INSTALL --preclean --no-test-load $(INSTALL_LIB) . > install.log 2>&1 || { tail -n 60 install.log; echo "make: R CMD INSTALL failed (full log: install.log)"; exit 1; }

# Builds the vignettes with the installed package and installs them (the
# compiled objects of install-pkg are reused, nothing is recompiled).
vignettes:
	@echo "== building the vignettes (VIGNETTES=no skips)"
	@$(RSCRIPT) tools/build-vignettes.R
	@MAKEFLAGS=-j2 $(R) CMD INSTALL --no-configure --no-test-load $(INSTALL_LIB) . >> install.log 2>&1 || { tail -n 60 install.log; echo "make: R CMD INSTALL (with vignettes) failed (full log: install.log)"; exit 1; }

# The demo runs before the vignettes are built, so its result shows first.
demo: deps
	@$(MAKE) --no-print-directory install-pkg
	@$(RSCRIPT) inst/scripts/demo.R
	@if [ "$(VIGNETTES)" != "no" ]; then $(MAKE) --no-print-directory vignettes && \
	  echo "== vignettes installed: vignette(package = \"grntorch\") lists them"; fi

engine: deps
	@cmake -S src/engine -B src/engine/build -DCMAKE_BUILD_TYPE=Release > /dev/null
	@cmake --build src/engine/build -j2

test: install engine
	@sh tools/run-tests.sh

check: deps
	rm -rf grntorch_*.tar.gz inst/doc build/vignette.rds
	$(R) CMD build .
	_R_CHECK_FORCE_SUGGESTS_=false $(R) CMD check --no-manual grntorch_*.tar.gz

# BiocCheck (Bioconductor's guidelines, as for a new submission) on the built
# tarball; not part of `make test`.  It checks against the grntorch installed
# already (`make install-pkg`) instead of compiling the tarball again;
# BIOCCHECK_INSTALL=yes makes BiocCheck install it (~10 min).  Offline, the
# checks that need bioconductor.org are skipped.  Details: bioccheck.log.
bioccheck: deps
	rm -rf grntorch_*.tar.gz inst/doc build/vignette.rds
	$(R) CMD build --no-build-vignettes --no-manual .
	OMP_WAIT_POLICY=passive $(RSCRIPT) tools/bioccheck.R grntorch_*.tar.gz

bench: install
	@for f in bench/*.R; do [ -e "$$f" ] || continue; echo "== $$f"; $(RSCRIPT) "$$f" || exit 1; done

document:
	$(RSCRIPT) -e 'Rcpp::compileAttributes(".")'
	$(RSCRIPT) -e 'roxygen2::roxygenise(".", roclets = c("rd", "namespace"), load_code = roxygen2::load_source)'

clean:
	sh cleanup
	rm -rf grntorch.Rcheck grntorch_*.tar.gz install.log bioccheck.log
