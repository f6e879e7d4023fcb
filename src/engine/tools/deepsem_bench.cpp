// deepsem_bench: train DeepSEM on a genes x cells CSV (or .csv.gz) with no R,
// and print seconds per epoch.  Also generates a synthetic dataset.
//
//   deepsem_bench --data path/BL--ExpressionData.csv.gz [--mode celltype|nonspecific]
//                 [--epochs 120] [--threads 2] [--device cpu|cuda] [--seed 1]
//                 [--speedups 255] [--bf16] [--out A.csv] [--save model.pt] [--trace]
//   deepsem_bench --synthetic 5000x20000 --epochs 3 --device cuda
//
// The CSV has a header row (first field empty, then cell ids) and one row per
// gene: symbol, then one value per cell (BEELINE's BL--ExpressionData.csv).
#include "grntorch/deepsem.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using grntorch::Matrix;

namespace {

bool ends_with(const std::string& s, const std::string& suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

// Reads the whole (possibly gzipped, via `gzip -dc`) file into memory.
std::string slurp(const std::string& path) {
  std::string out;
  if (ends_with(path, ".gz")) {
    std::string cmd = "gzip -dc '" + path + "'";
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) throw std::runtime_error("cannot run gzip on " + path);
    char buf[1 << 16];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, k);
    if (pclose(p) != 0) throw std::runtime_error("gzip failed on " + path);
  } else {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open " + path);
    std::ostringstream ss;
    ss << f.rdbuf();
    out = ss.str();
  }
  return out;
}

Matrix read_csv(const std::string& path, std::vector<std::string>* genes) {
  std::string text = slurp(path);
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error("empty file " + path);
  int cells = static_cast<int>(std::count(line.begin(), line.end(), ','));
  std::vector<std::vector<float>> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<float> r;
    r.reserve(cells);
    const char* p = line.c_str();
    const char* comma = std::strchr(p, ',');
    if (comma == nullptr) throw std::runtime_error("bad line in " + path);
    genes->emplace_back(p, comma);
    p = comma + 1;
    while (*p) {
      char* end;
      r.push_back(std::strtof(p, &end));
      p = end;
      if (*p == ',') ++p;
      else break;
    }
    if (static_cast<int>(r.size()) != cells) throw std::runtime_error("ragged row for gene " + genes->back());
    rows.push_back(std::move(r));
  }
  Matrix m(static_cast<int>(rows.size()), cells);
  for (int g = 0; g < m.rows; ++g)
    for (int c = 0; c < cells; ++c) m(g, c) = rows[g][c];
  return m;
}

// A synthetic log-expression-like matrix (non-negative, ~40% zeros).
Matrix synthetic(int genes, int cells, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(1.5f, 1.0f);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  Matrix m(genes, cells);
  for (auto& v : m.data) v = u(rng) < 0.4f ? 0.f : std::max(0.f, nd(rng));
  return m;
}

class PrintMonitor : public grntorch::Monitor {
 public:
  explicit PrintMonitor(bool quiet) : quiet_(quiet) {}
  void progress(int step, int total, double loss) override {
    if (!quiet_) std::fprintf(stderr, "\repoch %d/%d loss %.5f", step, total, loss);
    if (step == total && !quiet_) std::fprintf(stderr, "\n");
  }
 private:
  bool quiet_;
};

void usage() {
  std::cerr << "usage: deepsem_bench (--data FILE.csv[.gz] | --synthetic GENESxCELLS) [--mode celltype|nonspecific]\n"
               "       [--epochs N] [--batch N] [--threads N] [--device cpu|cuda] [--seed N] [--speedups MASK]\n"
               "       [--lr-decay F] [--out A.csv] [--save model.pt] [--quiet] [--trace]\n"
               "  --trace: print every epoch's mean loss parts (mse, kl, sparse) and seconds\n"
               "  --bf16: the bfloat16 option (bfloat16 inputs to the MLPs' H x H products)\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string data, synth, mode = "celltype", device = "cpu", out, save;
  int epochs = 120, threads = 0, batch = 64;
  unsigned long seed = 1, speedups = grntorch::kSpeedAll;
  double lr_decay = 1.0;
  bool quiet = false, trace = false, bf16 = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) { usage(); std::exit(2); }
      return argv[++i];
    };
    if (a == "--data") data = next();
    else if (a == "--synthetic") synth = next();
    else if (a == "--mode") mode = next();
    else if (a == "--epochs") epochs = std::stoi(next());
    else if (a == "--batch") batch = std::stoi(next());
    else if (a == "--threads") threads = std::stoi(next());
    else if (a == "--device") device = next();
    else if (a == "--seed") seed = std::stoul(next());
    else if (a == "--speedups") speedups = std::stoul(next());
    else if (a == "--lr-decay") lr_decay = std::stod(next());
    else if (a == "--out") out = next();
    else if (a == "--save") save = next();
    else if (a == "--quiet") quiet = true;
    else if (a == "--trace") trace = true;
    else if (a == "--bf16") bf16 = true;
    else { usage(); return 2; }
  }
  if (data.empty() == synth.empty()) { usage(); return 2; }
  try {
    auto t0 = std::chrono::steady_clock::now();
    if (threads > 0) grntorch::set_threads(threads);
    std::vector<std::string> genes;
    Matrix x;
    if (!data.empty()) {
      x = read_csv(data, &genes);
    } else {
      int g = 0, c = 0;
      if (std::sscanf(synth.c_str(), "%dx%d", &g, &c) != 2) { usage(); return 2; }
      x = synthetic(g, c, 7);
    }
    auto t_read = std::chrono::steady_clock::now();
    auto m = mode == "nonspecific" ? grntorch::DeepSEMMode::NonSpecific : grntorch::DeepSEMMode::CellType;
    if (mode != "nonspecific" && mode != "celltype") throw grntorch::InvalidArgument("--mode must be celltype or nonspecific");
    auto opt = grntorch::DeepSEMOptions::defaults(m);
    opt.epochs = epochs;
    opt.batch_size = batch;
    opt.seed = seed;
    opt.device = device;
    opt.speedups = static_cast<unsigned>(speedups);
    opt.bfloat16 = bf16;
    opt.lr_decay = lr_decay;
    PrintMonitor mon(quiet);
    auto res = grntorch::deepsem_fit(x, opt, &mon);
    auto t_end = std::chrono::steady_clock::now();
    auto info = grntorch::runtime_info();
    double net_s = 0, adj_s = 0;
    int net_n = 0, adj_n = 0;
    for (int e = 0; e < epochs; ++e) {
      bool net = e % (opt.net_epochs + opt.adj_epochs) < opt.net_epochs;
      (net ? net_s : adj_s) += res.trace.seconds[e];
      (net ? net_n : adj_n) += 1;
    }
    std::printf("genes %d cells %d mode %s device %s threads %d blas %s speedups %lu\n", x.rows, x.cols, mode.c_str(),
                device.c_str(), info.intra_op_threads, info.blas_kind.c_str(), speedups);
    std::printf("read_s %.2f train_s %.2f total_s %.2f s_per_epoch %.3f net_epoch_s %.3f adj_epoch_s %.3f final_loss %.5f\n",
                std::chrono::duration<double>(t_read - t0).count(), res.seconds,
                std::chrono::duration<double>(t_end - t0).count(), res.seconds / epochs,
                net_n ? net_s / net_n : 0.0, adj_n ? adj_s / adj_n : 0.0, res.trace.loss.back());
    if (trace) {
      std::printf("epoch kind loss mse kl sparse seconds\n");
      for (int e = 0; e < epochs; ++e) {
        bool net = e % (opt.net_epochs + opt.adj_epochs) < opt.net_epochs;
        std::printf("%d %s %.5f %.5f %.5f %.5f %.3f\n", e + 1, net ? "net" : "A", res.trace.loss[e], res.trace.mse[e],
                    res.trace.kl[e], res.trace.sparse[e], res.trace.seconds[e]);
      }
    }
    if (!out.empty()) {
      std::ofstream f(out);
      // A(target, regulator) with gene names (if any) as header / first column.
      for (int j = 0; j < res.A.cols; ++j) f << "," << (genes.empty() ? "g" + std::to_string(j) : genes[j]);
      f << "\n";
      for (int i = 0; i < res.A.rows; ++i) {
        f << (genes.empty() ? "g" + std::to_string(i) : genes[i]);
        for (int j = 0; j < res.A.cols; ++j) f << "," << res.A(i, j);
        f << "\n";
      }
    }
    if (!save.empty()) res.model.save(save);
  } catch (const std::exception& e) {
    std::cerr << "deepsem_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
