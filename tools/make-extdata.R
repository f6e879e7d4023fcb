# Builds inst/extdata/ from ../shared/data (BEELINE, as cut by GENELink).
# Run from the package root: Rscript tools/make-extdata.R
shared <- normalizePath(file.path("..", "shared", "data"), mustWork = TRUE)
src <- file.path(shared, "beeline", "specific", "mESC-tfs500")
out <- file.path("inst", "extdata", "mESC-tfs500")
dir.create(out, recursive = TRUE, showWarnings = FALSE)

X <- as.matrix(read.csv(gzfile(file.path(src, "BL--ExpressionData.csv.gz")), row.names = 1, check.names = FALSE))
genes <- read.csv(file.path(src, "Target.csv"))$Gene
stopifnot(identical(rownames(X), genes))
# 4 decimals on a log2(TPM + 1) scale (max 11.5): far below measurement noise, and compresses.
X <- round(X, 4)
saveRDS(X, file.path(out, "expression.rds"), compress = "xz")

tfs <- read.csv(file.path(src, "TF.csv"))$TF
writeLines(tfs, file.path(out, "tfs.txt"))

net <- read.csv(file.path(src, "BL--network.csv"))
write.csv(net[, c("Gene1", "Gene2")], gzfile(file.path(out, "network.csv.gz")), row.names = FALSE, quote = FALSE)

# The bridge-grn sample-1 supervised split, by gene name.
sp <- file.path(src, "splits", "bridge-grn-sample1")
split <- lapply(c(train = "Train_set", validation = "Validation_set", test = "Test_set"), function(f) {
  d <- read.csv(gzfile(file.path(sp, paste0(f, ".csv.gz"))))
  data.frame(from = genes[d$TF + 1L], to = genes[d$Target + 1L], label = as.integer(d$Label))
})
saveRDS(split, file.path(out, "split-bridge-grn-sample1.rds"), compress = "xz")

# BioBERT embeddings of the gene symbols (scGREAT), junk row 0 dropped,
# reduced to 64 principal components (centred, not scaled), 4 significant digits.
con <- file(file.path(shared, "embeddings", "biobert-scgreat", "mESC-tfs500", "biovect768.npy"), "rb")
seek(con, 128)
E <- matrix(readBin(con, "numeric", 1121 * 768, size = 4, endian = "little"), 1121, byrow = TRUE)
close(con)
E <- E[-1, , drop = FALSE]
rownames(E) <- genes
pc <- prcomp(E, center = TRUE, scale. = FALSE, rank. = 64)
emb <- signif(pc$x, 4)
attr(emb, "variance_explained") <- sum(pc$sdev[1:64]^2) / sum(pc$sdev^2)
saveRDS(emb, file.path(out, "biobert-pca64.rds"), compress = "xz")

# BEELINE's TF lists (GPL-3).
tl <- file.path("inst", "extdata", "tf-lists")
dir.create(tl, showWarnings = FALSE)
file.copy(file.path(shared, "beeline", "tf-lists", "human-tfs.csv"), tl, overwrite = TRUE)
file.copy(file.path(shared, "beeline", "tf-lists", "mouse-tfs.csv"), tl, overwrite = TRUE)
cat(sprintf("variance explained by 64 PCs: %.3f\n", attr(emb, "variance_explained")))
print(file.info(list.files("inst/extdata", recursive = TRUE, full.names = TRUE))[, "size", drop = FALSE])
