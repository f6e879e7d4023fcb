# The shared R plumbing of the constructors: misspelt arguments, the seed
# helper, the label check, the ensemble runner and ensembles of supervised
# models and InfoSEM.

test_that("every constructor rejects a misspelt argument with one classed error naming it", {
  ex <- grntorch_example()
  calls <- list(
    deepsem = function() deepsem(epohcs = 3),
    infosem = function() infosem(ex$embeddings, sigmaw = 1),
    genelink = function() genelink(epoch = 2, heds = 3),
    gnnlink = function() gnnlink(pateince = 3),
    scregnet = function() scregnet(ex$embeddings, gnnn = "gat"),
    sctransnet = function() sctransnet(ex$embeddings, dropuot = 0.1),
    scunigp = function() scunigp(fussion = "late"),
    correlation_method = function() correlation_method("pearson", treads = 1),
    random_baseline = function() random_baseline(sed = 1),
    onehot_lr = function() onehot_lr(flods = 3),
    matcomp = function() matcomp(lamdas = 1))
  bad <- c(deepsem = "epohcs", infosem = "sigmaw", genelink = "heds", gnnlink = "pateince", scregnet = "gnnn",
           sctransnet = "dropuot", scunigp = "fussion", correlation_method = "treads", random_baseline = "sed",
           onehot_lr = "flods", matcomp = "lamdas")
  for (fn in names(calls)) {
    e <- tryCatch(calls[[fn]](), error = function(e) e)
    expect_s3_class(e, "grntorch_argument_error")
    expect_s3_class(e, "grntorch_error")
    expect_match(conditionMessage(e), sprintf("unknown argument `%s` to %s\\(\\)", bad[[fn]], fn), label = fn)
  }
  # the closest argument is suggested
  expect_error(gnnlink(pateince = 3), "did you mean `patience`", class = "grntorch_argument_error")
  # unnamed extra values too
  expect_error(random_baseline(1, 2), "unnamed", class = "grntorch_argument_error")
  # partial matching of the arguments before `...` still works, as in base R
  expect_identical(genelink(epoch = 2)$params$epochs, 2L)
  # InfoSEM names itself and DeepSEM
  expect_error(infosem(ex$embeddings, sigmaw = 1), "to infosem\\(\\) \\(not an argument of deepsem\\(\\) either\\)")
})

test_that("infer_grn() names itself, and the constructor, for an argument neither knows", {
  ex <- small_example(20, 30)
  e <- tryCatch(infer_grn(ex$expression, "deepsem", tfz = ex$tfs, verbose = FALSE), error = function(e) e)
  expect_s3_class(e, "grntorch_argument_error")
  expect_match(conditionMessage(e), "unknown argument `tfz` to infer_grn\\(\\) \\(not an argument of deepsem\\(\\) either\\)")
  expect_match(conditionMessage(e), "did you mean `tfs`")
  expect_error(infer_grn(ex$expression, "genelink", epohcs = 1, verbose = FALSE),
               "unknown argument `epohcs` to infer_grn\\(\\) \\(not an argument of genelink\\(\\) either\\)",
               class = "grntorch_argument_error")
  expect_error(infer_grn(ex$expression, "pearson", tpye = "spearman", verbose = FALSE),
               "`tpye` to infer_grn\\(\\) \\(not an argument of correlation_method\\(\\)", class = "grntorch_argument_error")
  emb <- grntorch_example()$embeddings
  expect_error(infer_grn(ex$expression, "infosem", embeddings = emb, epohcs = 1, verbose = FALSE),
               "`epohcs` to infer_grn\\(\\) \\(not an argument of infosem\\(\\) or deepsem\\(\\) either\\)",
               class = "grntorch_argument_error")
  expect_identical(grntorch:::.resolve_method("infosem", embeddings = emb, epoch = 3, seed = 2)$params$epochs, 3L)
  # a parameter object takes no `...`
  expect_error(infer_grn(ex$expression, correlation_method(), threads = 1, verbose = FALSE),
               "unknown argument `threads` to infer_grn\\(\\)", class = "grntorch_argument_error")
  # constructor arguments (also partially matched ones) still pass
  g <- infer_grn(ex$expression, "spearman", thread = 1, tfs = ex$tfs, verbose = FALSE)
  expect_identical(igraph::graph_attr(g, "params")$threads, 1L)
  expect_identical(igraph::graph_attr(g, "params")$type, "spearman")
})

test_that(".with_seed() seeds R's default generators and restores .Random.seed and RNGkind exactly", {
  genv <- globalenv()
  saved <- if (exists(".Random.seed", envir = genv)) get(".Random.seed", envir = genv)
  saved_kind <- RNGkind()
  on.exit({
    do.call(RNGkind, as.list(saved_kind))
    if (is.null(saved)) rm(".Random.seed", envir = genv) else assign(".Random.seed", saved, envir = genv)
  })
  ref <- local({ RNGkind("Mersenne-Twister", "Inversion", "Rejection"); set.seed(42); runif(3) })
  RNGkind("L'Ecuyer-CMRG", "Box-Muller")
  set.seed(7)
  before <- get(".Random.seed", envir = genv)
  x <- grntorch:::.with_seed(42, runif(3))
  expect_identical(x, ref)                         # the default generators, whatever the caller's kind
  expect_identical(get(".Random.seed", envir = genv), before)
  expect_identical(RNGkind()[1:2], c("L'Ecuyer-CMRG", "Box-Muller"))
  # a session that has not used the RNG yet is left without a .Random.seed
  RNGkind("Mersenne-Twister", "Inversion", "Rejection")
  rm(".Random.seed", envir = genv)
  expect_identical(grntorch:::.with_seed(42, runif(3)), ref)
  expect_false(exists(".Random.seed", envir = genv, inherits = FALSE))
})

test_that("one 0/1 label check serves infer_grn(), evaluate_grn() and infosem()", {
  expect_identical(grntorch:::.check_labels(c(TRUE, FALSE), "x"), c(1L, 0L))
  expect_identical(grntorch:::.check_labels(c(1, 0, 1), "x"), c(1L, 0L, 1L))
  for (bad in list(c(0, 2), c(1, NA), c("1", "0"))) {
    expect_error(grntorch:::.check_labels(bad, "train"), "`train`: column label must be 0/1", class = "grntorch_error")
  }
  ex <- small_example(20, 30)
  g <- ex$expression
  pairs <- data.frame(from = rownames(g)[1], to = rownames(g)[2], label = 3)
  expect_error(infer_grn(g, "pearson", train = pairs, verbose = FALSE), "`train`: column label must be 0/1")
  expect_error(evaluate_grn(infer_grn(g, "pearson", verbose = FALSE), pairs), "`truth`: column label must be 0/1")
  expect_error(infosem(grntorch_example()$embeddings, prior_edges = pairs), "`prior_edges`: column label must be 0/1")
})

test_that(".run_ensemble() runs each seed, averages and gives forked workers one thread", {
  regs <- c("a", "b")
  genes <- c("a", "b", "c")
  seen <- list()
  run_one <- function(i, seed, threads, verbose) {
    seen[[i]] <<- c(seed = seed, threads = threads)
    list(scores = matrix(c(seed, -seed, 1, 2, 3, 4) * if (i == 2) -1 else 1, 2))
  }
  one <- grntorch:::.run_ensemble(1L, 5, run_one, NULL, 3L, FALSE, regs, genes)
  expect_identical(dimnames(one$scores), list(regs, genes))
  expect_null(one$attrs)
  two <- grntorch:::.run_ensemble(2L, 5, run_one, NULL, 3L, FALSE, regs, genes, stability_k = 2L, keep_runs = TRUE)
  expect_identical(unname(do.call(rbind, seen)[, "seed"]), c(5, 6))   # run i has seed `seed + i - 1`
  expect_identical(two$seeds, c(5, 6))
  expect_identical(unname(do.call(rbind, seen)[, "threads"]), c(3, 3))
  m1 <- matrix(c(5, -5, 1, 2, 3, 4), 2)
  m2 <- -matrix(c(6, -6, 1, 2, 3, 4), 2)
  expect_equal(unname(abs(two$scores)), (abs(m1) + abs(m2)) / 2)
  expect_equal(unname(sign(two$scores)), ifelse(m1 + m2 < 0, -1, 1))
  expect_true(all(two$attrs$stability >= 0 & two$attrs$stability <= 1))
  expect_equal(sum(two$attrs$stability), 2)          # k = 2 pairs per run, 2 runs
  expect_identical(two$info$stability_k, 2L)
  expect_length(two$info$runs, 2L)
  skip_if_not_installed("BiocParallel")
  thr <- function(i, seed, threads, verbose) list(scores = matrix(threads, 2, 3))
  par <- grntorch:::.run_ensemble(2L, 1, thr, BiocParallel::SerialParam(), 4L, FALSE, regs, genes)
  expect_true(all(par$scores == 4))
  skip_on_os("windows")
  fork <- grntorch:::.run_ensemble(2L, 1, thr, BiocParallel::MulticoreParam(2), 4L, FALSE, regs, genes)
  expect_true(all(fork$scores == 1))
})

test_that("supervised models take n_runs: mean probability of runs that differ by seed, with stability", {
  ex <- grntorch_example()
  tfs <- intersect(unique(ex$split$train$from), rownames(ex$expression))[1:10]
  genes <- unique(c(tfs, rownames(ex$expression)))[1:120]
  keep <- function(p) p[p$from %in% genes & p$to %in% genes, ]
  x <- ex$expression[genes, ]
  tr <- keep(ex$split$train)
  va <- keep(ex$split$validation)
  fit <- function(...) infer_grn(x, gnnlink(epochs = 2, hidden = c(16, 8), threads = 1, ...), tfs = tfs,
                                 train = tr, validation = va, verbose = FALSE)
  mat <- function(g) {
    e <- grn_edges(g)
    e <- e[order(e$from, e$to), ]
    stats::setNames(e$score, paste(e$from, e$to))
  }
  r3 <- fit(seed = 3)
  r4 <- fit(seed = 4)
  expect_false(identical(mat(r3), mat(r4)))                         # the runs differ by seed
  expect_identical(mat(fit(seed = 3, n_runs = 1)), mat(r3))           # n_runs = 1 is the single model
  ens <- fit(seed = 3, n_runs = 2, keep_runs = TRUE)
  e <- grn_edges(ens)
  key <- paste(e$from, e$to)
  expect_equal(e$score, unname(((mat(r3) + mat(r4)) / 2)[key]), tolerance = 1e-12)
  expect_true(all(e$score > 0 & e$score < 1))
  expect_true(all(e$stability >= 0 & e$stability <= 1))
  info <- igraph::graph_attr(ens, "fit")
  expect_identical(info$seeds, c(3, 4))
  expect_length(info$per_run, 2L)
  expect_identical(info$per_run[[2]]$best_epoch, igraph::graph_attr(r4, "fit")$best_epoch)
  expect_identical(info$stability_k, length(genes))
  expect_length(info$runs, 2L)
  expect_error(gnnlink(n_runs = 0), "`n_runs`", class = "grntorch_error")
  expect_error(genelink(BPPARAM = 1), "`BPPARAM`", class = "grntorch_error")
})

test_that("infosem() builds on a deepsem() parameter object", {
  ex <- grntorch_example()
  a <- infosem(ex$embeddings, sigma_w = 0.5, epochs = 7, seed = 3, threads = 1, n_runs = 2, stability_k = 9)
  b <- infosem(ex$embeddings, sigma_w = 0.5, sem = deepsem(epochs = 7, seed = 3, threads = 1, n_runs = 2, stability_k = 9))
  expect_identical(a$params[names(a$params) != "embeddings"], b$params[names(b$params) != "embeddings"])
  expect_identical(a$params[names(deepsem(seed = 1)$params)], deepsem(epochs = 7, seed = 3, threads = 1, n_runs = 2,
                                                                      stability_k = 9)$params)
  expect_error(infosem(ex$embeddings, epochs = 0), "`epochs`", class = "grntorch_error")
  expect_error(infosem(ex$embeddings, sem = list()), "`sem`", class = "grntorch_error")
  expect_error(infosem(ex$embeddings, epochs = 3, sem = deepsem(seed = 1)), "`epochs`.*deepsem",
               class = "grntorch_argument_error")
  expect_error(infosem(ex$embeddings, NULL, 1, 0.1, 128, FALSE, 5), "unnamed", class = "grntorch_argument_error")
})
