// DAZZLE on DeepSEM's engine: the data preparation and options of the
// reference's recipe; the training is deepsem_train() with DeepSEMJoint.
#include "grntorch/dazzle.hpp"

#include "checks.hpp"
#include "deepsem_internal.hpp"
#include "errors.hpp"
#include "random_streams.hpp"
#include "tensor_io.hpp"

#include <cmath>

namespace grntorch {

DeepSEMOptions DazzleOptions::defaults_deepsem() {
  DeepSEMOptions o = DeepSEMOptions::defaults(DeepSEMMode::NonSpecific);  // alpha 100, beta 1
  return o;
}

void validate(const DazzleOptions& opt, int n_genes, int n_cells) {
  validate(opt.deepsem, n_genes, n_cells);
  if (!(std::isfinite(opt.augment) && opt.augment >= 0 && opt.augment < 1))
    throw InvalidArgument("augment: must be in [0, 1)");
  if (!(std::isfinite(opt.classifier_weight) && opt.classifier_weight >= 0))
    throw InvalidArgument("classifier_weight: must be a finite number >= 0");
  if (opt.sparse_delay < 0) throw InvalidArgument("sparse_delay: must be >= 0");
  for (int m : opt.lr_milestones)
    if (m < 1) throw InvalidArgument("lr_milestones: must be >= 1");
}

namespace {

DeepSEMResult dazzle_fit_impl(const Matrix& expr, const DazzleOptions& opt, Monitor* monitor) {
  detail::check_expression(expr, {"DAZZLE", /*min_genes=*/2, /*min_cells=*/2, /*finite=*/true});
  validate(opt, expr.rows, expr.cols);
  detail::SeedScope seeds(opt.deepsem.seed);  // the engine's random-stream rule (random_streams.hpp)
  auto dev = deepsem_device(opt.deepsem.device);
  // The z-score over all cells (population sd), the mask of non-zero entries
  // (the reconstruction counts them) and each gene's z-score of a zero (what
  // an augmented entry becomes).
  Matrix mask;
  std::vector<float> zero_z;
  Matrix xs = deepsem_standardize(expr, DeepSEMMode::NonSpecific, &mask, &zero_z);
  DeepSEMData data;
  data.x = tio::colmajor_tensor(xs).to(dev);  // genes x cells column-major == cells x genes row-major
  data.mask = tio::colmajor_tensor(mask).to(dev);
  DeepSEMJoint joint;
  joint.augment = opt.augment;
  joint.classifier_weight = opt.classifier_weight;
  joint.sparse_delay = opt.sparse_delay;
  joint.lr_milestones = opt.lr_milestones;
  joint.zero_z = torch::from_blob(zero_z.data(), {1, static_cast<int64_t>(zero_z.size())}, torch::kFloat32)
                     .clone()
                     .to(dev);
  return deepsem_train(data, opt.deepsem, monitor, nullptr, &joint);
}

}  // namespace

DeepSEMResult dazzle_fit(const Matrix& expr, const DazzleOptions& opt, Monitor* monitor) {
  return detail::guarded([&] { return dazzle_fit_impl(expr, opt, monitor); });
}

}  // namespace grntorch
