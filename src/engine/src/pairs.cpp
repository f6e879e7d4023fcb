// The one check of labelled pairs (see grntorch/pairs.hpp).  No torch.
#include "grntorch/pairs.hpp"

#include "grntorch/common.hpp"

#include <string>

namespace grntorch {

void check_pairs(const LabeledPairs& p, int n_genes, const char* what, bool need_both_classes) {
  const std::string w(what);
  if (p.from.size() != p.to.size() || p.from.size() != p.label.size())
    throw InvalidArgument(w + ": from, to and label differ in length");
  bool pos = false, neg = false;
  for (std::size_t k = 0; k < p.size(); ++k) {
    if (p.from[k] < 0 || p.from[k] >= n_genes || p.to[k] < 0 || p.to[k] >= n_genes)
      throw InvalidArgument(w + ": gene index out of range");
    if (p.label[k] == 1.0f) pos = true;
    else if (p.label[k] == 0.0f) neg = true;
    else throw InvalidArgument(w + ": labels must be 0 or 1");
  }
  if (need_both_classes && !pos) throw InvalidArgument(w + ": no positive pairs");
  if (need_both_classes && !neg) throw InvalidArgument(w + ": no negative pairs");
}

}  // namespace grntorch
