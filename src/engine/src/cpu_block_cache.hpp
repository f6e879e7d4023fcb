// A caching CPU allocator for training loops (internal, torch).
//
// LibTorch's default CPU allocator hands every request to posix_memalign;
// glibc serves requests above 32 MiB with a fresh mmap, so a training loop
// that allocates the same ~40 MB activation tensors every batch pays page
// faults and page clearing for every one of them (about a third of DeepSEM's
// CPU time).  While a CpuBlockCacheScope is alive this allocator keeps freed
// blocks of >= 256 KiB and hands them out again (best fit, at most twice the
// requested size).  When the last scope ends the cached blocks are released
// and the previous allocator is restored; blocks still alive are freed
// normally when their tensors die.
#pragma once

#include <c10/core/CPUAllocator.h>

#include "errors.hpp"

#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <unordered_map>

namespace grntorch {

class CpuBlockCache final : public c10::Allocator {
 public:
  static CpuBlockCache& instance() {
    static CpuBlockCache* c = new CpuBlockCache();  // never destroyed: deleters may run at exit
    return *c;
  }

  c10::DataPtr allocate(size_t n) const override {
    return const_cast<CpuBlockCache*>(this)->get(n);
  }
  c10::DeleterFnPtr raw_deleter() const override { return &release; }

  void enter() {
    std::lock_guard<std::mutex> g(mu_);
    if (active_++ == 0) {
      prev_ = c10::GetCPUAllocator();
      if (prev_ != this) c10::SetCPUAllocator(this);
    }
  }
  void leave() {
    std::lock_guard<std::mutex> g(mu_);
    if (--active_ > 0) return;
    if (prev_ != nullptr && prev_ != this) c10::SetCPUAllocator(prev_);
    prev_ = nullptr;
    for (auto& kv : free_) {
      sizes_.erase(kv.second);
      std::free(kv.second);
    }
    free_.clear();
    cached_ = 0;
  }

 private:
  static constexpr size_t kMinBytes = 256 * 1024;
  static constexpr size_t kMaxCached = size_t(1) << 30;

  c10::DataPtr get(size_t n) {
    if (n == 0) return {nullptr, nullptr, &release, c10::Device(c10::DeviceType::CPU)};
    void* p = nullptr;
    {
      std::lock_guard<std::mutex> g(mu_);
      if (active_ > 0 && n >= kMinBytes) {
        auto it = free_.lower_bound(n);
        if (it != free_.end() && it->first <= 2 * n) {
          p = it->second;
          cached_ -= it->first;
          free_.erase(it);
        }
      }
    }
    if (p == nullptr) {
      if (posix_memalign(&p, 64, n) != 0 || p == nullptr) detail::throw_out_of_memory(n);
      if (n >= kMinBytes) {
        std::lock_guard<std::mutex> g(mu_);
        sizes_[p] = n;
      }
    }
    return {p, p, &release, c10::Device(c10::DeviceType::CPU)};
  }

  static void release(void* p) {
    if (p == nullptr) return;
    auto& c = instance();
    {
      std::lock_guard<std::mutex> g(c.mu_);
      auto it = c.sizes_.find(p);
      if (it != c.sizes_.end()) {
        size_t n = it->second;
        if (c.active_ > 0 && n >= kMinBytes && c.cached_ + n <= kMaxCached) {
          c.free_.emplace(n, p);
          c.cached_ += n;
          return;
        }
        c.sizes_.erase(it);
      }
    }
    std::free(p);
  }

  std::mutex mu_;
  int active_ = 0;
  c10::Allocator* prev_ = nullptr;
  std::multimap<size_t, void*> free_;     // cached blocks by size
  std::unordered_map<void*, size_t> sizes_;  // every live or cached block we allocated
  size_t cached_ = 0;
};

// RAII: caching on for the lifetime of the scope (nestable).
class CpuBlockCacheScope {
 public:
  CpuBlockCacheScope() { CpuBlockCache::instance().enter(); }
  ~CpuBlockCacheScope() { CpuBlockCache::instance().leave(); }
  CpuBlockCacheScope(const CpuBlockCacheScope&) = delete;
  CpuBlockCacheScope& operator=(const CpuBlockCacheScope&) = delete;
};

}  // namespace grntorch
