# split_edges(): each scheme's defining property, on the bundled real mESC truth.

pair_key <- function(p) paste(p$from, p$to)

test_that("unseen_genes: no unseen gene in train/validation, full blocks, 3:1 ratios, reproducible", {
  ex <- grntorch_example()
  genes <- rownames(ex$expression)
  s <- split_edges(ex$truth, "unseen_genes", tfs = ex$tfs, genes = genes, seed = 3)
  expect_s3_class(s, "grn_split")
  expect_named(s, c("train", "validation", "test_seen", "test_unseen"))
  info <- attr(s, "info")
  unseen <- union(info$unseen_regulators, info$unseen_targets)
  seen <- union(info$seen_regulators, info$seen_targets)
  expect_length(intersect(unseen, seen), 0)     # one status per gene, whatever its roles
  for (nm in c("train", "validation")) {
    expect_false(any(s[[nm]]$from %in% unseen), info = nm)
    expect_false(any(s[[nm]]$to %in% unseen), info = nm)
  }
  expect_true(all(s$test_unseen$from %in% info$unseen_regulators & s$test_unseen$to %in% info$unseen_targets))
  # 3:1 at the gene level.
  regs <- unique(ex$truth$from); tg <- unique(ex$truth$to)
  expect_equal(length(info$unseen_regulators), round(length(regs) / 4))
  expect_equal(length(info$unseen_targets), round(length(tg) / 4), tolerance = 0.02)
  # test_unseen holds every unseen x unseen candidate pair (no self-pairs), labels from the truth.
  tu <- s$test_unseen
  n_self <- length(intersect(info$unseen_regulators, info$unseen_targets))
  expect_equal(nrow(tu), length(info$unseen_regulators) * length(info$unseen_targets) - n_self)
  truth_key <- pair_key(ex$truth)
  expect_equal(tu$label, as.integer(pair_key(tu) %in% truth_key))
  # Seen block: train + validation + test_seen = every seen x seen pair exactly once, 3:1 per regulator.
  all_seen <- rbind(s$train, s$validation, s$test_seen)
  n_self <- length(intersect(info$seen_regulators, info$seen_targets))
  expect_equal(nrow(all_seen), length(info$seen_regulators) * length(info$seen_targets) - n_self)
  expect_false(anyDuplicated(pair_key(all_seen)) > 0)
  expect_equal(all_seen$label, as.integer(pair_key(all_seen) %in% truth_key))
  pos <- all_seen[all_seen$label == 1, ]
  n_pos <- table(pos$from)
  n_test <- table(factor(s$test_seen$from[s$test_seen$label == 1], levels = names(n_pos)))
  expect_equal(as.vector(n_test), as.vector(round(n_pos / 4)))
  # Test densities equal the block densities (stratified per regulator and label).
  expect_equal(mean(s$test_seen$label), mean(all_seen$label), tolerance = 0.02)
  # Validation is ~10% of each regulator's training pairs.
  expect_equal(nrow(s$validation) / (nrow(s$validation) + nrow(s$train)), 0.1, tolerance = 0.05)
  # Reproducible from the seed, different for another seed, global RNG untouched.
  set.seed(99); r1 <- runif(1); set.seed(99)
  s2 <- split_edges(ex$truth, "unseen_genes", tfs = ex$tfs, genes = genes, seed = 3)
  expect_equal(runif(1), r1)
  expect_identical(unclass(s2), unclass(s))
  s3 <- split_edges(ex$truth, "unseen_genes", tfs = ex$tfs, genes = genes, seed = 4)
  expect_false(identical(attr(s3, "info")$unseen_regulators, info$unseen_regulators))
})

test_that("genelink_specific: per-regulator 67/10/23 of positives, every other pair a negative exactly once", {
  ex <- grntorch_example()
  genes <- rownames(ex$expression)
  s <- split_edges(ex$truth, "genelink_specific", tfs = ex$tfs, genes = genes, seed = 1)
  expect_named(s, c("train", "validation", "test"))
  all <- rbind(s$train, s$validation, s$test)
  regs <- unique(ex$truth$from)
  expect_equal(nrow(all), length(regs) * (length(genes) - 1))     # each regulator x every other gene, once
  expect_false(anyDuplicated(pair_key(all)) > 0)
  expect_equal(all$label, as.integer(pair_key(all) %in% pair_key(ex$truth)))
  m <- table(ex$truth$from)
  for (r in names(m)[m > 2]) {
    k <- m[[r]]
    expect_equal(sum(s$train$from == r & s$train$label == 1), floor(0.67 * k), info = r)
    expect_equal(sum(s$validation$from == r & s$validation$label == 1), floor(0.77 * k) - floor(0.67 * k), info = r)
  }
  # Positive counts close to the real GENELink split of this dataset (MANIFEST: 19804+/2956+/6853+).
  expect_equal(sum(s$train$label), 19804, tolerance = 0.01)
})

test_that("genelink_density: balanced train/validation negatives per regulator, test at the density", {
  skip_if_no_shared_data()
  b <- read_beeline(file.path(shared_data_dir(), "beeline", "non-specific", "mHSC-L-tfs500"))
  s <- split_edges(b$truth, "genelink_density", tfs = b$tfs, genes = b$genes, seed = 2, density = 0.05)
  expect_named(s, c("train", "validation", "test"))
  for (nm in c("train", "validation")) {
    p <- s[[nm]]
    tab <- table(p$from, p$label)
    expect_equal(as.vector(tab[, "0"]), as.vector(tab[, "1"]), info = nm)
  }
  expect_equal(mean(s$test$label), 0.05, tolerance = 0.01)
  all <- rbind(s$train, s$validation, s$test)
  expect_false(anyDuplicated(pair_key(all)) > 0)
  expect_equal(all$label, as.integer(pair_key(all) %in% pair_key(b$truth)))
  expect_false(any(all$from == all$to))
  expect_true(all(all$from %in% b$tfs))
  # 2/3 of each regulator's positives to train + validation (a fifth of them validation).
  m <- table(b$truth$from)
  r <- names(m)[m > 5][1]
  k <- m[[r]]
  expect_equal(sum(s$train$from == r & s$train$label == 1) + sum(s$validation$from == r & s$validation$label == 1), (2 * k) %/% 3)
  expect_equal(sum(s$validation$from == r & s$validation$label == 1), ((2 * k) %/% 3) %/% 5)
})

test_that("bad input names the argument", {
  ex <- grntorch_example()
  expect_error(split_edges(ex$truth, "nope"), "`scheme`: must be one of", class = "grntorch_argument_error")
  expect_error(split_edges(ex$truth, "unseen_genes", seed = NA), "`seed`")
  expect_error(split_edges(ex$truth, "unseen_genes", foo = 1), "`...`")
  expect_error(split_edges(data.frame(a = 1), "unseen_genes"), "`truth`")
  expect_error(split_edges(ex$truth, "unseen_genes", tfs = "NOT_A_GENE", genes = rownames(ex$expression)), "`tfs`")
  expect_error(split_edges(data.frame(from = "A", to = "B"), "unseen_genes"), "`truth`.*too few")
})
