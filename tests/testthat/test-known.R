# Known networks on a user's own data (issue 19): prior_network(),
# training_pairs(), the `known` edge attribute, degree_baseline(),
# cross_source_split() / benchmark_grn(schemes = "cross_source").

key <- function(from, to) paste(toupper(from), toupper(to), sep = "\r")

test_that("prior_network() loads every bundled network with its source recorded", {
  sizes <- list(human = c(string = 99146, "hepg2-chip-seq" = 342823),
                mouse = c(string = 78567, "non-specific-chip-seq" = 99990, "mdc-chip-seq" = 30650,
                          "mesc-lofgof" = 104174))
  for (sp in names(sizes)) for (src in names(sizes[[sp]])) {
    p <- prior_network(sp, toupper(src))            # source is case-insensitive
    expect_identical(names(p), c("from", "to"))
    expect_type(p$from, "character")
    expect_equal(nrow(p), sizes[[sp]][[src]], info = paste(sp, src))
    expect_identical(attr(p, "species"), sp)
    expect_identical(attr(p, "source"), src)
    expect_match(attr(p, "origin"), "Murali-group/Beeline@13c8593d")
    expect_false(anyDuplicated(key(p$from, p$to)) > 0)
    expect_false(any(p$from == p$to))
  }
  expect_error(prior_network("rat"), class = "grntorch_argument_error", regexp = "`species`")
  expect_error(prior_network("human", "mdc-chip-seq"), class = "grntorch_argument_error",
               regexp = "`source`.*mouse network")
  expect_error(prior_network("mouse", 1), class = "grntorch_argument_error", regexp = "`source`")
})

test_that("the bundled networks are the sources of BEELINE's ground truths (provenance)", {
  skip_if_no_shared_data()
  d <- file.path(shared_data_dir(), "beeline")
  cut <- list(c("string/hHEP-tfs500", "human", "string"), c("specific/hHEP-tfs500", "human", "hepg2-chip-seq"),
              c("string/mESC-tfs500", "mouse", "string"), c("non-specific/mDC-tfs500", "mouse", "non-specific-chip-seq"),
              c("specific/mDC-tfs500", "mouse", "mdc-chip-seq"), c("lofgof/mESC-tfs500", "mouse", "mesc-lofgof"))
  for (x in cut) {
    t <- utils::read.csv(file.path(d, x[1], "BL--network.csv"))
    p <- prior_network(x[2], x[3])
    expect_true(all(key(t$Gene1, t$Gene2) %in% key(p$from, p$to)), info = x[1])
  }
})

test_that("training_pairs(): positives are exactly the known edges inside TFs x genes, in the data's spelling", {
  genes <- c("Sox2", "Pou5f1", "Nanog", "Klf4", "Myc", "Gata1", "Actb", "Gapdh")
  tfs <- c("SOX2", "POU5F1", "NANOG", "KLF4")
  known <- data.frame(from = c("SOX2", "sox2", "POU5F1", "NANOG", "MYC", "KLF4", "SOX2", "ABSENT", "NANOG"),
                      to = c("NANOG", "nanog", "SOX2", "NANOG", "SOX2", "GAPDH", "ACTB", "SOX2", "ABSENT"))
  attr(known, "species") <- "mouse"
  expect_message(tp <- training_pairs(known, genes, tfs, validation = 0, negatives = 2, seed = 3),
                 "6 of 9 known edges.*the 4 distinct ones among its 4 TFs x genes are the positives; 8 negatives")
  pos <- tp$train[tp$train$label == 1, ]
  # duplicate (case), self-pair, non-TF regulator (MYC) and absent genes are not positives
  expect_setequal(key(pos$from, pos$to), key(c("Sox2", "Pou5f1", "Klf4", "Sox2"), c("Nanog", "Sox2", "Gapdh", "Actb")))
  expect_true(all(c(pos$from, pos$to) %in% genes))                # the data's spelling
  neg <- tp$train[tp$train$label == 0, ]
  expect_equal(nrow(neg), 8)
  expect_false(any(neg$from == neg$to))
  expect_true(all(neg$from %in% genes[1:4]))
  expect_length(intersect(key(neg$from, neg$to), key(pos$from, pos$to)), 0)
  expect_false(anyDuplicated(key(neg$from, neg$to)) > 0)
  expect_null(tp$validation)
  expect_identical(names(tp), c("train", "validation"))
  # "all": every other TF x gene pair: 4 TFs x 8 genes - 4 self - 4 positives
  all <- training_pairs(known, genes, tfs, validation = 0, negatives = "all", verbose = FALSE)
  expect_equal(sum(all$train$label == 0), 4 * 8 - 4 - 4)
})

test_that("training_pairs(): stratified validation, reproducible, leaves the RNG alone, reads expression objects", {
  ex <- small_example(n_genes = 200)
  known <- prior_network("mouse", "string")
  set.seed(42); before <- .Random.seed
  a <- training_pairs(known, ex$expression, ex$tfs, validation = 0.2, negatives = 3, seed = 5, verbose = FALSE)
  expect_identical(.Random.seed, before)
  b <- training_pairs(known, rownames(ex$expression), ex$tfs, validation = 0.2, negatives = 3, seed = 5, verbose = FALSE)
  expect_identical(unclass(a)[1:2], unclass(b)[1:2])                  # gene vector == expression object
  sp <- training_pairs(known, Matrix::Matrix(ex$expression, sparse = TRUE), ex$tfs, validation = 0.2, seed = 5,
                       verbose = FALSE)
  expect_identical(sp$train, a$train)
  c6 <- training_pairs(known, ex$expression, ex$tfs, validation = 0.2, negatives = 3, seed = 6, verbose = FALSE)
  expect_false(identical(c6$train, a$train))
  info <- attr(a, "info")
  for (l in 0:1) {
    n <- sum(a$train$label == l) + sum(a$validation$label == l)
    expect_equal(sum(a$validation$label == l), round(0.2 * n))
  }
  expect_equal(info$n_negative, round(3 * info$n_positive))
  expect_length(intersect(key(a$train$from, a$train$to), key(a$validation$from, a$validation$to)), 0)
  expect_identical(info$source, "string")
})

test_that("training_pairs(): bad input is a classed error naming the argument", {
  genes <- c("SOX2", "POU5F1", "NANOG", "KLF4", "ACTB")
  known <- data.frame(from = c("SOX2", "POU5F1"), to = c("NANOG", "SOX2"))
  expect_error(training_pairs(data.frame(Gene1 = "SOX2", Gene2 = "NANOG"), genes, "SOX2"),
               class = "grntorch_argument_error", regexp = "`known`.*from.*Gene1")
  expect_error(training_pairs(data.frame(from = "A", to = "B"), genes, "SOX2"),
               class = "grntorch_no_known_edges", regexp = "`known`.*none of its 1 edges")
  expect_error(training_pairs(known, genes, c("KLF4", "ACTB"), verbose = FALSE),
               class = "grntorch_no_known_regulators", regexp = "`known`.*`tfs`")
  expect_error(training_pairs(known, genes, "NOTATF"), class = "grntorch_argument_error", regexp = "`tfs`")
  # 2 TFs x 5 genes - 2 self - 2 positives = 6 negatives available
  expect_error(training_pairs(known, genes, c("SOX2", "POU5F1"), negatives = 4, verbose = FALSE),
               class = "grntorch_too_many_negatives", regexp = "`negatives`.*8 negatives.*only 6")
  expect_silent(training_pairs(known, genes, c("SOX2", "POU5F1"), negatives = 3, verbose = FALSE))
  expect_error(training_pairs(known, genes, "SOX2", negatives = -1), class = "grntorch_argument_error", regexp = "`negatives`")
  expect_error(training_pairs(known, genes, "SOX2", validation = 1), class = "grntorch_argument_error", regexp = "`validation`")
  expect_error(training_pairs(known, list(1), "SOX2"), class = "grntorch_argument_error", regexp = "`x_or_genes`")
})

test_that("training_pairs(): human symbols on mouse genes is a classed warning", {
  ex <- small_example(n_genes = 200)
  mouse_genes <- paste0(substr(rownames(ex$expression), 1, 1), tolower(substring(rownames(ex$expression), 2)))
  expect_warning(training_pairs(prior_network("human", "string"), mouse_genes, ex$tfs, verbose = FALSE),
                 class = "grntorch_species_mismatch")
  hum <- prior_network("human", "string")
  attr(hum, "species") <- NULL                                     # a plain upper-case table
  expect_warning(training_pairs(hum, mouse_genes, ex$tfs, verbose = FALSE), class = "grntorch_species_mismatch")
  # BEELINE's upper-cased mouse network on mouse genes: no warning
  expect_no_warning(training_pairs(prior_network("mouse", "string"), mouse_genes, ex$tfs, verbose = FALSE))
  # mouse-style (title case) table on upper-case genes: warned
  mk <- prior_network("mouse", "string")
  tc <- function(v) paste0(substr(v, 1, 1), tolower(substring(v, 2)))
  mk <- data.frame(from = tc(mk$from), to = tc(mk$to))
  expect_warning(training_pairs(mk, rownames(ex$expression), ex$tfs, verbose = FALSE), class = "grntorch_species_mismatch")
})

test_that("`known` marks exactly the training positives; novel = TRUE drops them; unsupervised models have none", {
  ex <- small_example(n_genes = 80)
  tp <- training_pairs(prior_network("mouse", "string"), ex$expression, ex$tfs, validation = 0.2, seed = 1,
                       verbose = FALSE)
  pos <- tp$train[tp$train$label == 1, ]
  expect_gt(nrow(pos), 10)
  for (m in list(degree_baseline(), onehot_lr(cs = 1, folds = 2), genelink(epochs = 1, threads = 1))) {
    g <- infer_grn(ex$expression, m, tfs = ex$tfs, train = tp$train, validation = tp$validation, verbose = FALSE)
    e <- grn_edges(g)
    expect_equal(nrow(e), length(ex$tfs) * nrow(ex$expression) - length(ex$tfs), info = m$name)  # every pair
    expect_type(e$known, "logical")
    expect_setequal(key(e$from[e$known], e$to[e$known]), key(pos$from, pos$to))   # validation positives are not known
    nv <- grn_edges(g, novel = TRUE)
    expect_equal(nrow(nv), nrow(e) - nrow(pos))
    expect_false(any(nv$known))
    expect_identical(grn_edges(g, top = 5, novel = TRUE)$rank, head(nv$rank, 5))
  }
  expect_warning(gp <- infer_grn(ex$expression, "pearson", tfs = ex$tfs, train = tp$train, verbose = FALSE),
                 class = "grntorch_ignored_pairs")
  expect_null(igraph::edge_attr(gp, "known"))
  expect_message(nv_p <- grn_edges(gp, novel = TRUE), class = "grntorch_all_novel")   # said, not silent (issue 36)
  expect_equal(nrow(nv_p), nrow(grn_edges(gp)))
  expect_error(grn_edges(gp, novel = NA), class = "grntorch_argument_error", regexp = "`novel`")
})

test_that("InfoSEM-BC marks its prior positives `known`; InfoSEM-B has no `known`", {
  ex <- small_example(n_genes = 60, n_cells = 60)
  emb <- grntorch_example()$embeddings
  tp <- training_pairs(prior_network("mouse", "string"), ex$expression, ex$tfs, validation = 0, seed = 1,
                       verbose = FALSE)
  pos <- tp$train[tp$train$label == 1, ]
  g <- infer_grn(ex$expression, infosem(emb, prior_edges = tp$train, epochs = 2, threads = 1), tfs = ex$tfs,
                 verbose = FALSE)
  e <- grn_edges(g)
  expect_setequal(key(e$from[e$known], e$to[e$known]), key(pos$from, pos$to))
  g2 <- infer_grn(ex$expression, infosem(emb, prior_edges = "train", epochs = 2, threads = 1), tfs = ex$tfs,
                  train = tp$train, verbose = FALSE)
  e2 <- grn_edges(g2)
  expect_setequal(key(e2$from[e2$known], e2$to[e2$known]), key(pos$from, pos$to))
  gb <- infer_grn(ex$expression, infosem(emb, epochs = 2, threads = 1), tfs = ex$tfs, verbose = FALSE)
  expect_null(igraph::edge_attr(gb, "known"))
})

test_that("degree_baseline(): score = target degree + w (regulator degree + 1), target degree first", {
  genes <- c("A", "B", "C", "D", "E")
  x <- matrix(stats::rnorm(50), 5, dimnames = list(genes, NULL))
  train <- data.frame(from = c("A", "A", "B", "B", "A", "C"), to = c("C", "D", "C", "C", "E", "D"),
                      label = c(1, 1, 1, 1, 0, 0))
  g <- infer_grn(x, "degree", tfs = c("A", "B"), train = train, verbose = FALSE)
  e <- grn_edges(g)
  # distinct positives: A->C, A->D, B->C; target degrees C 2, D 1; regulator degrees A 2, B 1; w = 1/4
  s <- stats::setNames(e$score, paste(e$from, e$to))
  expect_equal(s[["A C"]], 2 + 3 / 4)
  expect_equal(s[["B C"]], 2 + 2 / 4)
  expect_equal(s[["A D"]], 1 + 3 / 4)
  expect_equal(s[["B E"]], 0 + 2 / 4)
  expect_equal(igraph::graph_attr(g, "fit")$tie_weight, 1 / 4)
  expect_identical(e$from[1:2], c("A", "B"))             # C (degree 2) first, A breaks the tie
  expect_true(all(e$score > 0))
  expect_equal(grn_edges(infer_grn(x, degree_baseline(tie_weight = 0), tfs = "A", train = train, verbose = FALSE))$score[1], 2)
  expect_error(degree_baseline(tie_weight = -1), class = "grntorch_argument_error", regexp = "`tie_weight`")
  expect_error(infer_grn(x, "degree", tfs = "A", verbose = FALSE), class = "grntorch_argument_error", regexp = "`train`")
})

test_that("degree_baseline() on the real example split: test AUROC well above 0.5", {
  ex <- grntorch_example()
  g <- infer_grn(ex$expression, degree_baseline(), tfs = ex$tfs, train = ex$split$train, verbose = FALSE)
  ev <- evaluate_grn(g, ex$split$test)
  message(sprintf("degree baseline, mESC bridge-grn-sample1 test pairs: AUROC %.3f, AUPRC ratio %.3f", ev$auroc, ev$auprc_ratio))
  expect_gt(ev$auroc, 0.62)
})

test_that("benchmark_grn() adds the degree baseline wherever training pairs exist", {
  ex <- small_example(n_genes = 120)
  d <- list(small = list(expression = ex$expression, tfs = ex$tfs, truth = ex$truth))
  res <- benchmark_grn(d, list("pearson", lr = onehot_lr(cs = 1, folds = 2)), schemes = c("genelink_specific", "universe"),
                       seeds = 1, verbose = FALSE)
  expect_true("degree" %in% res$method[res$scheme == "genelink_specific"])
  expect_false("degree" %in% res$method[res$scheme == "universe"])
  off <- benchmark_grn(d, list(lr = onehot_lr(cs = 1, folds = 2)), schemes = "genelink_specific", seeds = 1,
                       verbose = FALSE, degree_baseline = FALSE)
  expect_false("degree" %in% off$method)
  unsup <- benchmark_grn(d, "pearson", schemes = "genelink_specific", seeds = 1, verbose = FALSE)
  expect_false("degree" %in% unsup$method)
})

test_that("cross_source_split(): no scored pair is in the prior; labels are the truth minus the prior", {
  ex <- small_example(n_genes = 150)
  S <- prior_network("mouse", "string")
  s <- cross_source_split(S, ex$truth, ex$expression, ex$tfs, seed = 2, verbose = FALSE)
  t <- s$test_novel
  expect_length(intersect(key(t$from, t$to), key(S$from, S$to)), 0)        # no scored pair is in S
  genes <- rownames(ex$expression)
  cand <- expand.grid(from = intersect(genes, ex$tfs), to = genes, stringsAsFactors = FALSE)
  cand <- cand[cand$from != cand$to & !key(cand$from, cand$to) %in% key(S$from, S$to), ]
  expect_setequal(key(t$from, t$to), key(cand$from, cand$to))             # every other TF x gene pair
  novel <- setdiff(key(ex$truth$from, ex$truth$to), key(S$from, S$to))
  expect_identical(t$label, as.integer(key(t$from, t$to) %in% novel))
  expect_gt(sum(t$label), 0)
  expect_gt(attr(s, "info")$n_truth_in_prior, 0)
  expect_identical(s$train, training_pairs(S, ex$expression, ex$tfs, seed = 2, verbose = FALSE)$train)
  expect_error(cross_source_split(S, data.frame(a = 1), ex$expression, ex$tfs), class = "grntorch_argument_error",
               regexp = "`truth`")
})

test_that("benchmark_grn(schemes = \"cross_source\") returns the tidy rows on the novel pairs", {
  ex <- small_example(n_genes = 120)
  d <- list(small = list(expression = ex$expression, tfs = ex$tfs, truth = ex$truth))
  S <- prior_network("mouse", "string")
  res <- benchmark_grn(d, list("pearson", lr = onehot_lr(cs = 1, folds = 2)), schemes = "cross_source", prior = S,
                       seeds = 1:2, verbose = FALSE)
  expect_s3_class(res, "grn_benchmark")
  expect_setequal(unique(res$method), c("pearson", "lr", "degree"))
  expect_identical(unique(res$test_set), "test_novel")
  expect_identical(unique(res$scheme), "cross_source")
  s <- cross_source_split(S, ex$truth, ex$expression, ex$tfs, seed = 1, verbose = FALSE)
  dens <- res$value[res$metric == "density" & res$seed == 1 & res$method == "pearson"]
  expect_equal(dens, mean(s$test_novel$label))
  g <- infer_grn(ex$expression, "pearson", tfs = ex$tfs, verbose = FALSE)
  expect_equal(res$value[res$metric == "auroc" & res$seed == 1 & res$method == "pearson"],
               evaluate_grn(g, s$test_novel, missing = 0)$auroc)
  expect_error(benchmark_grn(d, "pearson", schemes = "cross_source", seeds = 1, verbose = FALSE),
               class = "grntorch_argument_error", regexp = "`prior`")
  expect_error(benchmark_grn(d, "pearson", schemes = "cross_source", prior = list(other = S), seeds = 1, verbose = FALSE),
               class = "grntorch_argument_error", regexp = "`prior`.*small")
})

test_that("the degree baseline also sits beside InfoSEM-BC trained on the cross-source prior", {
  ex <- small_example(n_genes = 60, n_cells = 60)
  d <- list(small = list(expression = ex$expression, tfs = ex$tfs, truth = ex$truth))
  bc <- infosem(grntorch_example()$embeddings, prior_edges = "train", epochs = 1, threads = 1)
  res <- benchmark_grn(d, list("pearson", bc = bc), schemes = "cross_source", prior = prior_network("mouse", "string"),
                       seeds = 1, verbose = FALSE)
  expect_setequal(unique(res$method), c("pearson", "bc", "degree"))
})

test_that("cross_source_split() gives the species warning once", {
  ex <- small_example(n_genes = 150)
  mouse_genes <- paste0(substr(rownames(ex$expression), 1, 1), tolower(substring(rownames(ex$expression), 2)))
  x <- ex$expression
  rownames(x) <- mouse_genes
  n <- 0L
  withCallingHandlers(cross_source_split(prior_network("human", "string"), ex$truth, x, ex$tfs, verbose = FALSE),
                      grntorch_species_mismatch = function(w) { n <<- n + 1L; invokeRestart("muffleWarning") })
  expect_identical(n, 1L)
})
