# Train / validation / test splits of a ground truth, by gene name.

#' Split a ground truth into labelled train / validation / test pairs
#'
#' Three protocols:
#'
#' * `"unseen_genes"` (InfoSEM, section 4.2).  The regulators with known edges
#'   are split seen / unseen at random in the ratio `1 - unseen : unseen`
#'   (3:1 by default); the targets with known edges likewise.  A gene that is
#'   both a regulator and a target gets one status, decided with the
#'   regulators; the remaining targets are then drawn so that about `unseen`
#'   of all targets are unseen.  Every candidate pair unseen regulator x unseen
#'   target (no self-pairs) forms `test_unseen`, with its label.  Every
#'   candidate pair seen regulator x seen target is labelled and split per
#'   regulator and label into `train` and `test_seen` (`test` of them, 1/4 by
#'   default, rounded), so both test sets have the network's density.  Pairs
#'   that mix a seen and an unseen gene are not used.  **Validation** is carved
#'   from `train`: a fraction `validation` (default 0.1, rounded) of each
#'   regulator's positive and negative training pairs; it holds seen genes only.
#'   No gene of `test_unseen` appears in `train` or `validation`, as regulator
#'   or target.
#' * `"genelink_specific"` (GENELink's hard-negative split for cell-type
#'   specific networks, SPEC section 5).  For each regulator with at least one
#'   edge, its positives are shuffled and split 67% / 10% / 23% (train /
#'   validation / test, cut points `floor(0.67 m)` and `floor(0.77 m)`); a
#'   regulator with one positive puts it in train or test with probability
#'   1/2, one with two positives puts one in each.  All its other pairs with
#'   `genes` (no self-pair) are negatives, split with the same cut points.
#' * `"genelink_density"` (GENELink's split for non-specific and STRING
#'   networks).  Per regulator, `floor(2m/3)` positives go to train (the first
#'   fifth of them becomes validation) and the rest to test (1 or 2 positives
#'   as above); train and validation get as many random negatives of the same
#'   regulator as positives; test gets random (regulator in `tfs`, gene)
#'   non-edges until its positive fraction equals `density` (default: the
#'   network's density over `tfs` x `genes`).
#'
#' @param truth data.frame `from`, `to` of ground-truth edges (self-loops and
#'   duplicates are dropped).
#' @param scheme one of `"unseen_genes"`, `"genelink_specific"`,
#'   `"genelink_density"`.
#' @param tfs candidate regulators (default: the regulators of `truth`);
#'   edges from other regulators are dropped with a warning.  The GENELink
#'   schemes draw test negatives of `"genelink_density"` from these.
#' @param genes all genes (default: the genes of `truth`); edges naming other
#'   genes are dropped with a warning.  Negatives of the GENELink schemes come
#'   from these.  Names in the result use the spelling of `genes`.
#' @templateVar seed_of the split
#' @template param-seed
#' @param ... scheme options: `unseen` (0.25), `test` (0.25) and `validation`
#'   (0.1) for `"unseen_genes"`; `density` for `"genelink_density"`.
#' @return A list of class `grn_split` with data.frames `from`, `to`, `label`:
#'   `train`, `validation`, `test_seen`, `test_unseen` for `"unseen_genes"`;
#'   `train`, `validation`, `test` for the GENELink schemes.  Attribute
#'   `info` records the scheme, seed and (for `"unseen_genes"`) the seen and
#'   unseen regulators and targets.
#' @seealso [evaluate_grn()], [benchmark_grn()]
#' @examples
#' ex <- grntorch_example()
#' s <- split_edges(ex$truth, "unseen_genes", tfs = ex$tfs, genes = rownames(ex$expression), seed = 1)
#' s
#' @md
#' @export
split_edges <- function(truth, scheme = c("unseen_genes", "genelink_specific", "genelink_density"),
                        tfs = NULL, genes = NULL, seed = 1L, ...) {
  scheme <- .match_choice(scheme, "scheme", c("unseen_genes", "genelink_specific", "genelink_density"))
  seed <- .check_seed(seed)
  opts <- list(...)
  allowed <- switch(scheme, unseen_genes = c("unseen", "test", "validation"), genelink_specific = character(),
                    genelink_density = "density")
  bad <- setdiff(names(opts), allowed)
  if (length(bad) || (length(opts) && is.null(names(opts)))) {
    .grn_abort("...", sprintf("unknown option(s) %s for scheme \"%s\"%s", paste(bad, collapse = ", "), scheme,
                              if (length(allowed)) sprintf(" (allowed: %s)", paste(allowed, collapse = ", ")) else ""))
  }
  prep <- .split_prepare(truth, tfs, genes)
  out <- .with_seed(seed, switch(scheme,
    unseen_genes = .split_unseen_genes(prep, unseen = .opt(opts, "unseen", 0.25), test = .opt(opts, "test", 0.25),
                                       validation = .opt(opts, "validation", 0.1)),
    genelink_specific = .split_genelink_specific(prep),
    genelink_density = .split_genelink_density(prep, density = opts$density)
  ))
  info <- attr(out, "info")
  attr(out, "info") <- c(list(scheme = scheme, seed = seed), info)
  class(out) <- c("grn_split", "list")
  out
}

#' @method print grn_split
#' @md
#' @export
print.grn_split <- function(x, ...) {
  info <- attr(x, "info")
  cat(sprintf("<grn_split> scheme \"%s\", seed %d\n", info$scheme, info$seed))
  for (nm in names(x)) {
    p <- x[[nm]]
    if (is.null(p)) { cat(sprintf("  %-12s     none\n", nm)); next }
    cat(sprintf("  %-12s %8d pairs  %7d positive  density %.4f  %4d regulators  %5d targets\n", nm, nrow(p),
                sum(p$label), if (nrow(p)) mean(p$label) else NA_real_, length(unique(p$from)), length(unique(p$to))))
  }
  invisible(x)
}

# Clean the truth; map names onto `genes` (case-insensitive); restrict to `tfs`.
#' @noRd
.split_prepare <- function(truth, tfs, genes) {
  tr <- .check_truth(truth)[, c("from", "to")]
  if (!is.null(genes)) {
    if (!is.character(genes) || anyNA(genes) || anyDuplicated(toupper(genes))) .grn_abort("genes", "must be a character vector of unique gene names")
    gspell <- genes
  } else {
    gspell <- unique(c(as.character(truth$from), as.character(truth$to)))
    gspell <- gspell[!duplicated(toupper(gspell))]
  }
  gup <- toupper(gspell)
  if (!is.null(tfs)) {
    if (!is.character(tfs) || anyNA(tfs)) .grn_abort("tfs", "must be a character vector without NA")
    tfi <- unique(match(toupper(tfs), gup))
    tfi <- tfi[!is.na(tfi)]
    if (!length(tfi)) .grn_abort("tfs", "none of the TFs is among the genes")
  }
  fi <- match(tr$from, gup)
  ti <- match(tr$to, gup)
  drop <- is.na(fi) | is.na(ti)
  if (any(drop)) .grn_warn(sprintf("%d truth edge(s) name genes outside `genes` and were dropped", sum(drop)))
  if (!is.null(tfs)) {
    notf <- !drop & !(fi %in% tfi)
    if (any(notf)) .grn_warn(sprintf("%d truth edge(s) come from regulators outside `tfs` and were dropped", sum(notf)))
    drop <- drop | notf
  }
  fi <- fi[!drop]; ti <- ti[!drop]
  keep <- fi != ti
  fi <- fi[keep]; ti <- ti[keep]
  key <- fi + as.double(length(gup)) * (ti - 1)
  d <- !duplicated(key)
  fi <- fi[d]; ti <- ti[d]
  if (!length(fi)) .grn_abort("truth", "has no edges left (after dropping self-loops and genes outside `genes`/`tfs`)")
  if (is.null(tfs)) tfi <- unique(fi)
  list(genes = gspell, from = fi, to = ti, tfs = tfi, n = as.double(length(gspell)))
}

#' @noRd
.pairs_df <- function(prep, f, t, pos_key) {
  key <- f + prep$n * (t - 1)
  data.frame(from = prep$genes[f], to = prep$genes[t], label = as.integer(key %in% pos_key), stringsAsFactors = FALSE)
}

# Random position of each row within its group, and the group size.
#' @noRd
.group_pos <- function(group) {
  o <- order(group, stats::runif(length(group)))
  pos <- integer(length(group))
  r <- rle(group[o])
  pos[o] <- sequence(r$lengths)
  size <- integer(length(group))
  size[o] <- rep(r$lengths, r$lengths)
  list(pos = pos, size = size)
}

#' @noRd
.split_unseen_genes <- function(prep, unseen, test, validation) {
  R <- unique(prep$from)
  Tg <- unique(prep$to)
  n_ur <- round(length(R) * unseen)
  if (n_ur < 1 || n_ur >= length(R)) .grn_abort("truth", sprintf("has %d regulators with edges: too few to split seen/unseen", length(R)))
  status <- rep(NA, prep$n)               # TRUE = unseen
  status[R] <- FALSE
  status[R[sample.int(length(R), n_ur)]] <- TRUE
  free <- setdiff(Tg, R)
  want <- round(length(Tg) * unseen) - sum(status[intersect(Tg, R)])
  want <- max(0, min(length(free), want))
  status[free] <- FALSE
  if (want > 0) status[free[sample.int(length(free), want)]] <- TRUE
  pos_key <- prep$from + prep$n * (prep$to - 1)
  block <- function(regs, targets) {
    g <- expand.grid(t = targets, f = regs)
    g <- g[g$f != g$t, ]
    .pairs_df(prep, g$f, g$t, pos_key)
  }
  ur <- R[status[R]]; sr <- R[!status[R]]
  ut <- Tg[status[Tg]]; st <- Tg[!status[Tg]]
  test_unseen <- block(ur, ut)
  seen <- block(sr, st)
  grp <- paste(seen$from, seen$label)
  gp <- .group_pos(grp)
  is_test <- gp$pos > gp$size - round(gp$size * test)
  train <- seen[!is_test, , drop = FALSE]
  test_seen <- seen[is_test, , drop = FALSE]
  gv <- .group_pos(paste(train$from, train$label))
  is_val <- gv$pos <= round(gv$size * validation)
  out <- list(train = train[!is_val, , drop = FALSE], validation = train[is_val, , drop = FALSE],
              test_seen = test_seen, test_unseen = test_unseen)
  out <- lapply(out, function(p) { rownames(p) <- NULL; p })
  attr(out, "info") <- list(seen_regulators = prep$genes[sr], unseen_regulators = prep$genes[ur],
                            seen_targets = prep$genes[st], unseen_targets = prep$genes[ut])
  out
}

# GENELink's positive split for one regulator's m positives: part per row (1 train, 2 val, 3 test).
#' @noRd
.genelink_parts <- function(m, cut1, cut2, p_val = 0.5) {
  if (m == 0) return(integer())
  if (m == 1) return(if (stats::runif(1) <= p_val) 1L else 3L)
  if (m == 2) return(c(1L, 3L))
  i <- seq_len(m)
  1L + (i > cut1) + (i > cut2)
}

#' @noRd
.split_genelink_specific <- function(prep) {
  pos_key <- prep$from + prep$n * (prep$to - 1)
  regs <- sort(unique(prep$from))
  res <- vector("list", length(regs))
  for (k in seq_along(regs)) {
    r <- regs[k]
    pos <- prep$to[prep$from == r]
    pos <- pos[sample.int(length(pos))]
    m <- length(pos)
    ppart <- .genelink_parts(m, floor(m * 0.67), floor(m * 0.77))
    neg <- setdiff(seq_len(prep$n), c(pos, r))
    neg <- neg[sample.int(length(neg))]
    nn <- length(neg)
    i <- seq_len(nn)
    npart <- 1L + (i > floor(nn * 0.67)) + (i > floor(nn * 0.77))
    res[[k]] <- data.frame(f = r, t = c(pos, neg), label = rep(1:0, c(m, nn)), part = c(ppart, npart))
  }
  all <- do.call(rbind, res)
  mk <- function(p) {
    a <- all[all$part == p, ]
    a <- a[order(-a$label), ]   # positives first, as GENELink writes them
    data.frame(from = prep$genes[a$f], to = prep$genes[a$t], label = a$label, stringsAsFactors = FALSE)
  }
  list(train = mk(1L), validation = mk(2L), test = mk(3L))
}

#' @noRd
.split_genelink_density <- function(prep, density) {
  n <- prep$n
  pos_key <- prep$from + n * (prep$to - 1)
  regs <- sort(unique(prep$from))
  if (is.null(density)) {
    tf_set <- prep$tfs
    density <- length(pos_key) / (length(tf_set) * n - length(tf_set))
  }
  density <- .check_scalar_num(density, "density", min = 0, max = 1, open_min = TRUE)
  parts <- list(); negs <- list()
  used <- pos_key
  for (r in regs) {
    pos <- prep$to[prep$from == r]
    m <- length(pos)
    if (m <= 2) {
      part <- .genelink_parts(m, 0, 0)
      part[part == 2L] <- 1L
    } else {
      pos <- pos[sample.int(m)]
      ntr <- (m * 2) %/% 3
      nval <- ntr %/% 5
      part <- c(rep(2L, nval), rep(1L, ntr - nval), rep(3L, m - ntr))
    }
    parts[[length(parts) + 1L]] <- data.frame(f = r, t = pos, label = 1L, part = part)
    # Train then validation negatives: as many as positives, same regulator, never a positive or self.
    cand <- setdiff(seq_len(n), c(prep$to[prep$from == r], r))
    for (p in 1:2) {
      k <- min(sum(part == p), length(cand))
      if (k == 0) next
      pick <- cand[sample.int(length(cand), k)]
      cand <- setdiff(cand, pick)
      negs[[length(negs) + 1L]] <- data.frame(f = r, t = pick, label = 0L, part = p)
    }
  }
  pos_df <- do.call(rbind, parts)
  neg_df <- do.call(rbind, negs)
  used <- c(pos_key, neg_df$f + n * (neg_df$t - 1))
  n_test_pos <- sum(pos_df$part == 3L)
  n_test_neg <- floor(n_test_pos / density - n_test_pos)
  # Test negatives: random (tf, gene) non-edges not used elsewhere, no self-pairs.
  tf_set <- prep$tfs
  cand <- as.vector(outer(tf_set, n * (seq_len(n) - 1), "+"))
  cf <- (cand - 1) %% n + 1
  ct <- (cand - 1) %/% n + 1
  cand <- cand[cf != ct & !(cand %in% used)]
  if (n_test_neg > length(cand)) .grn_abort("density", sprintf("needs %d test negatives but only %d candidate pairs are left", n_test_neg, length(cand)))
  if (n_test_pos > 0 && n_test_neg < 1) {
    .grn_abort("truth", sprintf(paste0("is too dense for \"genelink_density\": %d edges among %d TFs x %d genes (density %.3g) leave no ",
                                       "negative pair for the test set; give `genes` (all genes of the data) or a lower `density`"),
                                length(pos_key), length(tf_set), as.integer(n), density))
  }
  tk <- cand[sample.int(length(cand), n_test_neg)]
  test_neg <- data.frame(f = (tk - 1) %% n + 1, t = (tk - 1) %/% n + 1, label = rep(0L, length(tk)),
                         part = rep(3L, length(tk)))
  all <- rbind(pos_df, neg_df, test_neg)
  mk <- function(p) {
    a <- all[all$part == p, ]
    a <- a[order(-a$label), ]
    data.frame(from = prep$genes[a$f], to = prep$genes[a$t], label = a$label, stringsAsFactors = FALSE)
  }
  out <- list(train = mk(1L), validation = mk(2L), test = mk(3L))
  attr(out, "info") <- list(density = density)
  out
}
