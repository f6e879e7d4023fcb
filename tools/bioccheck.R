# BiocCheck on a built tarball (`make bioccheck`):
#   Rscript tools/bioccheck.R grntorch_X.tar.gz
# Runs BiocCheck as for a new Bioconductor submission (`new-package`) and
# copies its detailed log to bioccheck.log.  Exits non-zero on an ERROR.
#
# BiocCheck always runs `R CMD INSTALL` on what it checks, which compiles the
# engine (~10 minutes on two cores).  Unless BIOCCHECK_INSTALL=yes, the
# grntorch already installed in .libPaths() (e.g. by `make install-pkg`)
# stands in for that install: the checks that read the installed package
# (DESCRIPTION/NAMESPACE consistency, man pages) then see that build, every
# other check reads the tarball.
#
# Offline (bioconductor.org unreachable), the checks that need the network
# are skipped: deprecated packages, package names already on CRAN or
# Bioconductor, bioc-devel subscription and support-site registration.
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1L || !file.exists(args[[1L]]))
    stop("usage: Rscript tools/bioccheck.R grntorch_X.tar.gz")
if (!requireNamespace("BiocCheck", quietly = TRUE))
    stop("BiocCheck is not installed (Debian: r-bioc-bioccheck; make deps)")
ns <- asNamespace("BiocCheck")

if (!identical(tolower(Sys.getenv("BIOCCHECK_INSTALL")), "yes")) {
    installed <- find.package("grntorch", quiet = TRUE)
    if (!length(installed))
        stop("grntorch is not installed: run `make install-pkg` first, ",
             "or set BIOCCHECK_INSTALL=yes to let BiocCheck install it")
    message("bioccheck: using the installed build at ", installed,
            " (BIOCCHECK_INSTALL=yes installs the tarball instead)")
    utils::assignInNamespace("installAndLoad", ns = "BiocCheck",
        function(pkgpath, install_dir = tempfile()) {
            libdir <- file.path(install_dir, "lib")
            dir.create(libdir, recursive = TRUE)
            if (!file.symlink(installed, file.path(libdir, "grntorch")))
                stop("cannot link ", installed)
            install_dir
        })
}

online <- tryCatch({
    con <- url("https://bioconductor.org/config.yaml")
    on.exit(close(con))
    suppressWarnings(open(con))
    TRUE
}, error = function(e) FALSE)
opts <- list(`new-package` = TRUE)
if (!online) {
    message("bioccheck: bioconductor.org is unreachable; skipping the ",
            "checks that need it (deprecated packages, names in use on ",
            "CRAN/Bioconductor, bioc-devel and support site)")
    opts <- c(opts, list(`no-check-deprecated` = TRUE, `no-check-CRAN` = TRUE,
                         `no-check-bioc-help` = TRUE))
    utils::assignInNamespace("checkIsPackageNameAlreadyInUse", ns = "BiocCheck",
        function(pkgName, repo = "CRAN") {
            ns$handleMessage("Skipped (offline): ", repo)
        })
}

checkdir <- tempfile("bioccheck")
dir.create(checkdir)
res <- do.call(BiocCheck::BiocCheck,
               c(list(args[[1L]], checkDir = checkdir), opts))
log <- file.path(checkdir, "grntorch.BiocCheck", "00BiocCheck.log")
if (file.exists(log) && file.copy(log, "bioccheck.log", overwrite = TRUE))
    message("bioccheck: details in bioccheck.log")
if (length(res$error)) quit(status = 1L)
