#include "glue_deepsem.h"

namespace grnglue {

// The one copy of DeepSEM's options from R (shared with InfoSEM).  Types only:
// deepsem() validates the ranges; the engine's validate() checks its
// invariants and the data size.
grntorch::DeepSEMOptions deepsem_options(const Options& o) {
  const std::string mode = o.string("mode", {"celltype", "nonspecific"});
  grntorch::DeepSEMOptions opt = grntorch::DeepSEMOptions::defaults(
      mode == "celltype" ? grntorch::DeepSEMMode::CellType : grntorch::DeepSEMMode::NonSpecific);
  opt.alpha = o.number("alpha");
  opt.beta = o.number("beta");
  opt.epochs = o.integer("epochs");
  opt.batch_size = o.integer("batch_size");
  opt.lr = o.number("lr");
  opt.lr_adj = o.number("lr_adj");
  opt.hidden = o.integer("hidden");
  opt.lr_decay = o.number("lr_decay");
  opt.cells_per_epoch = o.integer("cells_per_epoch");
  opt.net_epochs = o.integer("net_epochs");
  opt.adj_epochs = o.integer("adj_epochs");
  opt.seed = o.seed("seed");
  opt.device = o.string("device");
  opt.bfloat16 = o.string("precision", {"float32", "bfloat16"}) == "bfloat16";
  return opt;
}

}  // namespace grnglue

// One DeepSEM run.  expr: genes x cells (finite, checked); opts: the options
// of deepsem_options() plus threads, verbose and label.  Returns A (genes x
// genes, A[target, regulator]) and the per-epoch loss trace.
// [[Rcpp::export(.grn_deepsem)]]
Rcpp::List grn_deepsem(const Rcpp::NumericMatrix expr, const Rcpp::List opts) {
  GRN_TRY
  grnglue::Options o(opts, "deepsem()");
  grntorch::DeepSEMOptions opt = grnglue::deepsem_options(o);
  const grnglue::RunControls run = grnglue::run_controls(o);
  const std::string label = o.string("label");
  o.finish();
  return grnglue::run_sem(expr, run, label, [&](const grntorch::Matrix& x, grntorch::Monitor* mon) {
    return grntorch::deepsem_fit(x, opt, mon);
  });
  GRN_CATCH
}
