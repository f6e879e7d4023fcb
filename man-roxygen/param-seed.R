#' @param seed the random seed<%= if (exists("seed_of")) paste0(" of ", seed_of) else "" %>: a whole
#'   number in \[0, 2147483647\], or `NULL` to draw one from R's random stream
#'   (so that `set.seed()` makes the call repeatable; the seed drawn is
#'   recorded).  The same seed gives the same result<%= if (exists("seed_note")) paste0(" ", seed_note) else "" %>;
#'   R's own random state is not changed (beyond drawing a `NULL` seed).
