# Builds inst/extdata/prior-networks/ from ../shared/data/beeline/networks (BEELINE's
# genome-wide reference networks, Murali-group/Beeline, GPL-3; MANIFEST section 8).
# Run from the package root: Rscript tools/make-prior-networks.R
#
# Each network is stored compactly as an xz-compressed .rds: the sorted distinct gene
# symbols and two integer vectors (regulator, target) into them, edges sorted by
# regulator then target.  Exact duplicate rows (STRING lists every edge twice) and
# self-loops are dropped; the symbols are kept as BEELINE spells them (upper case, also
# for mouse).  mDC's Score column is dropped.  prior_network() decodes them.
shared <- normalizePath(file.path("..", "shared", "data", "beeline", "networks"), mustWork = TRUE)
out <- file.path("inst", "extdata", "prior-networks")
dir.create(out, recursive = TRUE, showWarnings = FALSE)

commit <- "13c8593dae8723776c8825ac467b81cd9f04ee16"
nets <- list(
  list(species = "human", source = "string", file = "human/STRING-network.csv.gz",
       blob = "125a154b789d915db2a0d85259b5e4f125ee5b8d"),
  list(species = "human", source = "hepg2-chip-seq", file = "human/HepG2-ChIP-seq-network.csv.gz",
       blob = "fd004f6f215bcee259bac1fbf5ee2b43d340d199"),
  list(species = "mouse", source = "string", file = "mouse/STRING-network.csv.gz",
       blob = "285aeb80fe8255a3c36261bc879bce00a9b8316e"),
  list(species = "mouse", source = "non-specific-chip-seq", file = "mouse/Non-Specific-ChIP-seq-network.csv.gz",
       blob = "9720a8957f23ea659c916320d17f2bc031a01e93"),
  list(species = "mouse", source = "mdc-chip-seq", file = "mouse/mDC-ChIP-seq-network.csv.gz",
       blob = "fa91d50b85ee80cd0a04ce10888cc3477cbcdd25"),
  list(species = "mouse", source = "mesc-lofgof", file = "mouse/mESC-lofgof-network.csv.gz",
       blob = "28a12fbcac10aa70b61ac32ddae8cdebbec54424")
)

for (n in nets) {
  x <- utils::read.csv(gzfile(file.path(shared, n$file)), stringsAsFactors = FALSE, colClasses = "character")
  stopifnot(identical(names(x)[1:2], c("Gene1", "Gene2")))
  from <- x$Gene1; to <- x$Gene2
  genes <- sort(unique(c(from, to)), method = "radix")
  fi <- match(from, genes); ti <- match(to, genes)
  n_raw <- length(fi)
  dup <- duplicated(data.frame(fi, ti))
  self <- fi == ti
  keep <- !dup & !self
  fi <- fi[keep]; ti <- ti[keep]
  o <- order(fi, ti, method = "radix")
  obj <- list(species = n$species, source = n$source, genes = genes, from = fi[o], to = ti[o],
              file = paste0("Murali-group/Beeline@", commit, ":Networks/", sub("\\.gz$", "", n$file)),
              git_blob = n$blob, n_rows = n_raw, n_duplicates = sum(dup), n_self_loops = sum(self & !dup))
  f <- file.path(out, sprintf("%s-%s.rds", n$species, n$source))
  saveRDS(obj, f, compress = "xz")
  cat(sprintf("%-45s %7d rows -> %7d edges (%d duplicates, %d self-loops), %5d genes: %6.0f KB\n", f, n_raw,
              length(obj$from), obj$n_duplicates, obj$n_self_loops, length(genes), file.size(f) / 1024))
}
