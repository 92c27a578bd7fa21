// Data movement: transpose, gather, and the gather gradient (unsorted segment sum).
#include <algorithm>
#include <cstring>

#include "kernels.h"
#include "pool.h"

namespace hs {

namespace {

constexpr int64_t kGrain = 1 << 15;
constexpr int64_t kTile = 32;

template <class T>
void transposeImpl(const T* x, T* out, int rank, const int64_t* shape, const int32_t* perm) {
  int64_t inStride[kMaxRank];
  int64_t outShape[kMaxRank];
  int64_t srcStride[kMaxRank];  // input stride of each output axis
  inStride[rank - 1] = 1;
  for (int d = rank - 2; d >= 0; --d) inStride[d] = inStride[d + 1] * shape[d + 1];
  for (int d = 0; d < rank; ++d) {
    outShape[d] = shape[perm[d]];
    srcStride[d] = inStride[perm[d]];
  }
  const int64_t cols = outShape[rank - 1];
  if (srcStride[rank - 1] == 1 || rank == 1) {
    // The last axis stays innermost: copy runs of `cols` values.
    int64_t rows = 1;
    for (int d = 0; d < rank - 1; ++d) rows *= outShape[d];
    const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(cols, 1));
    pool().parallelFor(rows, grain, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        int64_t rem = r, off = 0;
        for (int d = rank - 2; d >= 0; --d) {
          off += (rem % outShape[d]) * srcStride[d];
          rem /= outShape[d];
        }
        std::memcpy(out + r * cols, x + off, static_cast<size_t>(cols) * sizeof(T));
      }
    });
    return;
  }
  // Otherwise transpose tiles of the two innermost output axes, for each index of the outer ones.
  const int64_t rowsIn = outShape[rank - 2];
  const int64_t sRow = srcStride[rank - 2];
  const int64_t sCol = srcStride[rank - 1];
  int64_t planes = 1;
  for (int d = 0; d < rank - 2; ++d) planes *= outShape[d];
  const int64_t rowTiles = (rowsIn + kTile - 1) / kTile;
  const int64_t grain = std::max<int64_t>(1, kGrain / (kTile * std::max<int64_t>(cols, 1)));
  pool().parallelFor(planes * rowTiles, grain, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t p = t / rowTiles;
      const int64_t r0 = (t % rowTiles) * kTile;
      const int64_t r1 = std::min(rowsIn, r0 + kTile);
      int64_t rem = p, off = 0;
      for (int d = rank - 3; d >= 0; --d) {
        off += (rem % outShape[d]) * srcStride[d];
        rem /= outShape[d];
      }
      const T* src = x + off;
      T* dst = out + p * rowsIn * cols;
      for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
        const int64_t c1 = std::min(cols, c0 + kTile);
        for (int64_t r = r0; r < r1; ++r) {
          for (int64_t c = c0; c < c1; ++c) dst[r * cols + c] = src[r * sRow + c * sCol];
        }
      }
    }
  });
}

}  // namespace

void transpose(const float* x, float* out, int rank, const int64_t* shape, const int32_t* perm, int elemBytes) {
  if (elemBytes == 4) {
    transposeImpl(reinterpret_cast<const uint32_t*>(x), reinterpret_cast<uint32_t*>(out), rank, shape, perm);
  } else if (elemBytes == 1) {
    transposeImpl(reinterpret_cast<const uint8_t*>(x), reinterpret_cast<uint8_t*>(out), rank, shape, perm);
  }
}

int64_t gather(const void* x, const int32_t* idx, void* out, int64_t outer, int64_t axisDim, int64_t inner,
               int64_t nIdx, int elemBytes) {
  for (int64_t i = 0; i < nIdx; ++i) {
    if (idx[i] < 0 || idx[i] >= axisDim) return i;
  }
  const size_t rowBytes = static_cast<size_t>(inner) * static_cast<size_t>(elemBytes);
  const char* src = static_cast<const char*>(x);
  char* dst = static_cast<char*>(out);
  const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(inner, 1));
  pool().parallelFor(outer * nIdx, grain, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t o = t / nIdx;
      const int64_t i = t % nIdx;
      std::memcpy(dst + static_cast<size_t>(t) * rowBytes,
                  src + static_cast<size_t>(o * axisDim + idx[i]) * rowBytes, rowBytes);
    }
  });
  return -1;
}

void unsortedSegmentSum(const float* x, const int32_t* ids, float* out, int64_t n, int64_t inner,
                        int64_t numSegments) {
  std::fill(out, out + numSegments * inner, 0.0f);
  // Threads own disjoint column ranges, so rows with the same segment never race.
  const int64_t blocks = (inner + 15) / 16;
  const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(n * 16, 1));
  pool().parallelFor(blocks, grain, [&](int64_t begin, int64_t end) {
    const int64_t c0 = begin * 16;
    const int64_t c1 = std::min(inner, end * 16);
    for (int64_t i = 0; i < n; ++i) {
      const int32_t s = ids[i];
      if (s < 0 || s >= numSegments) continue;  // TF drops out-of-range ids
      const float* __restrict xi = x + i * inner;
      float* __restrict oi = out + static_cast<int64_t>(s) * inner;
      for (int64_t c = c0; c < c1; ++c) oi[c] += xi[c];
    }
  });
}

}  // namespace hs
