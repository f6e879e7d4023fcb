# read_embeddings(): every input form, matching by name, missing genes, PCA;
# gene_embeddings_go(): GO profiles from the local annotation packages.

write_npy <- function(path, m, dtype = "<f4", version = 1L, fortran = FALSE) {
  shape <- sprintf("(%d, %d)", nrow(m), ncol(m))
  hdr <- sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", dtype,
                 if (fortran) "True" else "False", shape)
  pre <- if (version == 1L) 10L else 12L
  pad <- 64L - ((pre + nchar(hdr) + 1L) %% 64L)
  hdr <- paste0(hdr, strrep(" ", pad %% 64L), "\n")
  con <- file(path, "wb"); on.exit(close(con))
  writeBin(as.raw(c(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0L)), con)
  if (version == 1L) writeBin(nchar(hdr), con, size = 2L, endian = "little")
  else writeBin(nchar(hdr), con, size = 4L, endian = "little")
  writeBin(charToRaw(hdr), con)
  vals <- if (fortran) as.vector(m) else as.vector(t(m))
  endian <- if (substr(dtype, 1, 1) == ">") "big" else "little"
  size <- as.integer(substr(dtype, 3, 3))
  if (substr(dtype, 2, 2) == "i") writeBin(as.integer(vals), con, size = size, endian = endian)
  else writeBin(vals, con, size = size, endian = endian)
}

toy_emb <- function() {
  m <- matrix(c(1, 2, 3, 4, 5, 6, 7.5, 8, 9.25, 10, 11, 12), 4, 3, byrow = TRUE)
  rownames(m) <- c("Sox2", "POU5F1", "Nanog", "MYC")
  m
}

test_that(".npy files are parsed (v1/v2, float32/float64/int32, C/Fortran order, both byte orders)", {
  m <- toy_emb()
  for (case in list(list("<f4", 1L, FALSE), list("<f8", 2L, FALSE), list(">f8", 1L, FALSE),
                    list("<f4", 1L, TRUE), list("<i4", 1L, FALSE), list(">f4", 3L, TRUE))) {
    f <- tempfile(fileext = ".npy")
    write_npy(f, m, case[[1]], case[[2]], case[[3]])
    got <- read_embeddings(f, row_names = rownames(m))
    expect_equal(unname(got), unname(if (case[[1]] == "<i4") trunc(m) else m),
                 tolerance = 1e-6, info = paste(case, collapse = " "))
    expect_identical(rownames(got), rownames(m))
  }
  # row names from a file, with a junk first row dropped by skip
  f <- tempfile(fileext = ".npy"); write_npy(f, rbind(junk = 99, m))
  rn <- tempfile(fileext = ".txt"); writeLines(c("Gene", rownames(m)), rn)
  got <- read_embeddings(f, row_names = rn, skip = 1)
  expect_equal(unname(got), unname(m), tolerance = 1e-6)
  expect_identical(rownames(got), rownames(m))
  # names for the rows that remain after skip
  got2 <- read_embeddings(f, row_names = rownames(m), skip = 1)
  expect_identical(got2, got)
  expect_error(read_embeddings(f), class = "grntorch_error", regexp = "row_names")
  expect_error(read_embeddings(f, row_names = c("a", "b")), regexp = "row_names")
  bad <- tempfile(fileext = ".npy"); writeLines("not numpy", bad)
  expect_error(read_embeddings(bad, row_names = "a"), regexp = "not a NumPy")
})

test_that("tables (.csv/.tsv/.rds, data.frames) are read with their gene column", {
  m <- toy_emb()
  df <- data.frame(symbol = rownames(m), m, check.names = FALSE)
  f1 <- tempfile(fileext = ".csv"); utils::write.csv(df, f1, row.names = FALSE)
  f2 <- tempfile(fileext = ".tsv"); utils::write.table(df, f2, sep = "\t", row.names = FALSE, quote = FALSE)
  f3 <- tempfile(fileext = ".rds"); saveRDS(m, f3)
  f4 <- tempfile(fileext = ".csv.gz"); con <- gzfile(f4, "w"); utils::write.csv(df, con, row.names = FALSE); close(con)
  for (f in c(f1, f2, f3, f4)) {
    got <- read_embeddings(f)
    expect_equal(unname(got), unname(m), info = f)
    expect_identical(rownames(got), rownames(m), info = f)
  }
  names(df)[1] <- "id"
  expect_identical(rownames(read_embeddings(df, gene_column = "id")), rownames(m))
  expect_identical(rownames(read_embeddings(df)), rownames(m))   # first non-numeric column
  expect_error(read_embeddings(df, gene_column = "nope"), regexp = "gene_column")
  expect_error(read_embeddings(tempfile(fileext = ".xlsx")), regexp = "does not exist")
  f5 <- tempfile(fileext = ".parquet"); file.create(f5)
  expect_error(read_embeddings(f5), regexp = "unsupported file type")
  expect_error(read_embeddings(unname(m)), regexp = "no gene names")
  m2 <- m; m2[2, 2] <- NA
  expect_error(read_embeddings(m2), regexp = "NA")
})

test_that("rows are matched to genes by name, case-insensitively, whatever their order", {
  m <- toy_emb()
  genes <- c("MYC", "SOX2", "nanog", "Pou5f1")
  got <- read_embeddings(m[c(3, 1, 4, 2), ], genes = genes)
  expect_identical(rownames(got), genes)
  expect_equal(got["MYC", ], m["MYC", ])
  expect_equal(got["SOX2", ], m["Sox2", ])
  expect_equal(got["nanog", ], m["Nanog", ])
  expect_length(attr(got, "missing"), 0L)
  # the same answer from the original order
  expect_equal(read_embeddings(m, genes = genes), got)
})

test_that("genes without an embedding are reported and get the documented fallback", {
  m <- toy_emb()
  genes <- c("SOX2", "GATA1", "MYC", "NANOG", "POU5F1")
  expect_message(got <- read_embeddings(m, genes = genes, verbose = TRUE), "4 of 5 genes matched.*GATA1")
  expect_identical(attr(got, "missing"), "GATA1")
  expect_equal(got["GATA1", ], colMeans(m))
  got0 <- read_embeddings(m, genes = genes, missing = "zero")
  expect_equal(unname(got0["GATA1", ]), c(0, 0, 0))
  expect_error(read_embeddings(m, genes = genes, missing = "error"), class = "grntorch_error", regexp = "GATA1")
  # most genes missing: a warning, not a crash
  expect_warning(got <- read_embeddings(m, genes = c("SOX2", paste0("G", 1:5))), class = "grntorch_embedding_mismatch")
  expect_identical(dim(got), c(6L, 3L))
  # none matching: a clear error naming the argument
  expect_error(read_embeddings(m, genes = c("A", "B")), class = "grntorch_error", regexp = "`x`.*no gene has an embedding")
})

test_that("optional PCA keeps the requested dimensions and matches prcomp", {
  set.seed(1)
  m <- matrix(rnorm(200), 20, 10, dimnames = list(paste0("G", 1:20), NULL))
  p <- read_embeddings(m, n_components = 3)
  expect_identical(dim(p), c(20L, 3L))
  ref <- stats::prcomp(m)$x[, 1:3]
  expect_equal(abs(as.vector(p)), abs(as.vector(ref)), tolerance = 1e-8)
  expect_gt(attr(p, "variance_explained"), 0)
  expect_lt(attr(p, "variance_explained"), 1)
  # with genes: PCA fitted on the matched genes, the missing one stays at the centre
  p2 <- read_embeddings(m, genes = c(paste0("G", 1:20), "NEW"), n_components = 2)
  expect_equal(unname(p2["NEW", ]), c(0, 0), tolerance = 1e-10)
  expect_identical(attr(p2, "missing"), "NEW")
})

test_that("the real BioBERT file (junk first row) reads and aligns with the expression genes", {
  skip_if_no_shared_data()
  d <- file.path(shared_data_dir(), "embeddings", "biobert-scgreat", "mESC-tfs500")
  emb <- read_embeddings(file.path(d, "biovect768.npy"), row_names = file.path(d, "biovect768_rownames.txt"), skip = 1)
  expect_identical(dim(emb), c(1120L, 768L))
  genes <- utils::read.csv(file.path(shared_data_dir(), "beeline", "specific", "mESC-tfs500", "Target.csv"))$Gene
  expect_identical(rownames(emb), genes)
  expect_true(all(emb >= -11 & emb <= 2))
  # near-identical names are near-identical embeddings under this alignment (MANIFEST section 4)
  cosine <- function(a, b) sum(a * b) / sqrt(sum(a^2) * sum(b^2))
  hist <- grep("^HIST1H2B", genes, value = TRUE)
  skip_if(length(hist) < 2)
  expect_gt(cosine(emb[hist[1], ], emb[hist[2], ]), 0.95)
  # matched to the bundled expression (same genes) in a shuffled order
  ex <- grntorch_example()
  set.seed(3)
  sh <- sample(rownames(ex$expression))
  m <- read_embeddings(emb[rev(seq_len(nrow(emb))), ], genes = sh)
  expect_identical(rownames(m), sh)
  expect_equal(m[sh[1:5], ], emb[sh[1:5], ])
  # the bundled PCA-64 is the PCA of this file
  p <- read_embeddings(emb, n_components = 64)
  r <- abs(diag(stats::cor(p, ex$embeddings[rownames(p), ])))
  expect_gt(min(r), 0.99)
})

test_that("gene_embeddings_go builds GO profiles and reports the unannotated genes", {
  skip_if_not_installed("org.Hs.eg.db")
  skip_if_not_installed("GO.db")
  skip_if_not_installed("AnnotationDbi")
  genes <- c("RPL3", "RPL4", "RPS6", "TP53", "CDKN1A", "MDM2", "INS", "GCG", "NOT_A_GENE_X")
  expect_message(e <- gene_embeddings_go(genes, ontology = c("BP", "CC"), n_components = 5, verbose = TRUE),
                 "8 of 9 genes have a non-empty GO profile")
  expect_identical(dim(e), c(9L, 5L))
  expect_identical(rownames(e), genes)
  expect_identical(attr(e, "missing"), "NOT_A_GENE_X")
  expect_equal(unname(e["NOT_A_GENE_X", ]), rep(0, 5))
  cosine <- function(a, b) sum(a * b) / sqrt(sum(a^2) * sum(b^2))
  # ribosomal proteins resemble each other more than they resemble insulin or p53
  expect_gt(cosine(e["RPL3", ], e["RPL4", ]), cosine(e["RPL3", ], e["INS", ]))
  expect_gt(cosine(e["RPL3", ], e["RPL4", ]), cosine(e["RPL3", ], e["TP53", ]))
  expect_gt(cosine(e["TP53", ], e["MDM2", ]), cosine(e["TP53", ], e["RPS6", ]))
  expect_error(gene_embeddings_go(c("A", "A")), regexp = "duplicated")
  expect_error(gene_embeddings_go("TP53", ontology = "XX"), regexp = "ontology")
})
