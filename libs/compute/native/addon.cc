// N-API surface of the native kernels. Every function takes JS-owned typed arrays (zero-copy) plus
// sizes, checks that each array is long enough for the sizes given (a wrong size from JS must throw,
// never write out of bounds), and runs synchronously on the calling thread plus the kernel pool.
#include <napi.h>

#include <initializer_list>
#include <string>

#include "kernels.h"
#include "pool.h"

extern "C" void openblas_set_num_threads(int);
extern "C" int openblas_get_num_threads(void);
extern "C" char* openblas_get_config(void);

namespace hs {

ThreadPool& pool() {
  static ThreadPool instance;
  return instance;
}

void setThreads(int n) { pool().resize(n); }

int threads() { return pool().size(); }

}  // namespace hs

namespace {

struct Array {
  void* data = nullptr;
  size_t length = 0;  // elements
  napi_typedarray_type type = napi_float32_array;
};

bool typedArray(const Napi::CallbackInfo& info, size_t i, Array* out) {
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(info.Env(), info[i], &out->type, &out->length, &out->data, &ab, &offset) !=
      napi_ok) {
    Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be a typed array")
        .ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

int64_t num(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int64Value(); }

bool check(const Napi::CallbackInfo& info, bool ok, const char* what) {
  if (!ok) Napi::RangeError::New(info.Env(), std::string("headstart-cpu: ") + what).ThrowAsJavaScriptException();
  return ok;
}

size_t elemBytes(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array: return 1;
    case napi_int16_array:
    case napi_uint16_array: return 2;
    case napi_float64_array:
    case napi_bigint64_array:
    case napi_biguint64_array: return 8;
    default: return 4;
  }
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  hs::setThreads(static_cast<int>(num(info, 0)));
  return Napi::Number::New(info.Env(), hs::threads());
}

Napi::Value Threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), hs::threads()); }

Napi::Value PoolStats(const Napi::CallbackInfo& info) {
  const auto s = hs::pool().stats();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("parallelJobs", Napi::Number::New(info.Env(), static_cast<double>(s.parallelJobs)));
  o.Set("stalls", Napi::Number::New(info.Env(), static_cast<double>(s.stalls)));
  o.Set("serialSwitches", Napi::Number::New(info.Env(), static_cast<double>(s.serialSwitches)));
  o.Set("serialJobsLeft", Napi::Number::New(info.Env(), static_cast<double>(s.serialJobsLeft)));
  return o;
}

Napi::Value SetBlasThreads(const Napi::CallbackInfo& info) {
  hs::setBlasThreads(static_cast<int>(num(info, 0)));
  return Napi::Number::New(info.Env(), hs::blasThreads());
}

Napi::Value BlasConfig(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), openblas_get_config());
}

bool optionalFloats(const Napi::CallbackInfo& info, size_t i, int64_t need, const float** out);

// matmul(a, b, c, batch, m, n, k, transA, transB, strideA, strideB[, bias: n values to add to every row])
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  Array a, b, c;
  if (!typedArray(info, 0, &a) || !typedArray(info, 1, &b) || !typedArray(info, 2, &c)) return {};
  const int64_t batch = num(info, 3), m = num(info, 4), n = num(info, 5), k = num(info, 6);
  const bool ta = info[7].ToBoolean(), tb = info[8].ToBoolean();
  const int64_t sa = num(info, 9), sb = num(info, 10);
  const bool ok = a.type == napi_float32_array && b.type == napi_float32_array && c.type == napi_float32_array &&
                  batch >= 0 && m >= 0 && n >= 0 && k >= 0 && sa >= 0 && sb >= 0 &&
                  static_cast<int64_t>(a.length) >= (batch - 1) * sa + m * k &&
                  static_cast<int64_t>(b.length) >= (batch - 1) * sb + k * n &&
                  static_cast<int64_t>(c.length) >= batch * m * n;
  if (!check(info, ok || batch == 0, "matmul: bad sizes")) return {};
  const float* bias = nullptr;
  if (info.Length() > 11 && !optionalFloats(info, 11, n, &bias)) return {};
  hs::batchMatMul(static_cast<float*>(a.data), static_cast<float*>(b.data), static_cast<float*>(c.data), batch, m,
                  n, k, ta, tb, sa, sb, bias);
  return info.Env().Undefined();
}

// Largest element offset touched walking `shape` with `stride`.
int64_t span(int rank, const int64_t* shape, const int64_t* stride) {
  int64_t s = 0;
  for (int d = 0; d < rank; ++d) s += (shape[d] - 1) * stride[d];
  return s + 1;
}

// binary(op, a, b, out, dims) with dims = Int32Array [rank, shape..., strideA..., strideB...]
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Array a, b, o, d;
  const int op = static_cast<int>(num(info, 0));
  if (!typedArray(info, 1, &a) || !typedArray(info, 2, &b) || !typedArray(info, 3, &o) ||
      !typedArray(info, 4, &d))
    return {};
  const int32_t* dims = static_cast<int32_t*>(d.data);
  const int rank = dims[0];
  if (!check(info, rank >= 1 && rank <= hs::kMaxRank && d.length >= static_cast<size_t>(1 + 3 * rank),
             "binary: bad rank"))
    return {};
  int64_t shape[hs::kMaxRank], sa[hs::kMaxRank], sb[hs::kMaxRank];
  int64_t size = 1;
  for (int i = 0; i < rank; ++i) {
    shape[i] = dims[1 + i];
    sa[i] = dims[1 + rank + i];
    sb[i] = dims[1 + 2 * rank + i];
    size *= shape[i];
  }
  if (size == 0) return info.Env().Undefined();
  const bool ok = a.type == napi_float32_array && b.type == napi_float32_array && o.type == napi_float32_array &&
                  static_cast<int64_t>(o.length) >= size &&
                  static_cast<int64_t>(a.length) >= span(rank, shape, sa) &&
                  static_cast<int64_t>(b.length) >= span(rank, shape, sb);
  if (!check(info, ok, "binary: bad sizes")) return {};
  hs::binary(op, static_cast<float*>(a.data), static_cast<float*>(b.data), static_cast<float*>(o.data), rank,
             shape, sa, sb);
  return info.Env().Undefined();
}

// unary(op, x, out, alpha)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Array x, o;
  const int op = static_cast<int>(num(info, 0));
  if (!typedArray(info, 1, &x) || !typedArray(info, 2, &o)) return {};
  const float alpha = info[3].As<Napi::Number>().FloatValue();
  if (!check(info, x.type == napi_float32_array && o.type == napi_float32_array && o.length >= x.length,
             "unary: bad sizes"))
    return {};
  hs::unary(op, static_cast<float*>(x.data), static_cast<float*>(o.data), static_cast<int64_t>(x.length), alpha);
  return info.Env().Undefined();
}

// reduce(op, x, out, outer, mid, inner)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  Array x, o;
  const int op = static_cast<int>(num(info, 0));
  if (!typedArray(info, 1, &x) || !typedArray(info, 2, &o)) return {};
  const int64_t outer = num(info, 3), mid = num(info, 4), inner = num(info, 5);
  const bool ok = x.type == napi_float32_array && o.type == napi_float32_array && outer >= 0 && mid >= 0 &&
                  inner >= 0 && static_cast<int64_t>(x.length) >= outer * mid * inner &&
                  static_cast<int64_t>(o.length) >= outer * inner;
  if (!check(info, ok, "reduce: bad sizes")) return {};
  hs::reduce(op, static_cast<float*>(x.data), static_cast<float*>(o.data), outer, mid, inner);
  return info.Env().Undefined();
}

// softmax(x, out, rows, cols, log)
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  Array x, o;
  if (!typedArray(info, 0, &x) || !typedArray(info, 1, &o)) return {};
  const int64_t rows = num(info, 2), cols = num(info, 3);
  const bool ok = x.type == napi_float32_array && o.type == napi_float32_array && rows >= 0 && cols >= 0 &&
                  static_cast<int64_t>(x.length) >= rows * cols && static_cast<int64_t>(o.length) >= rows * cols;
  if (!check(info, ok, "softmax: bad sizes")) return {};
  hs::softmax(static_cast<float*>(x.data), static_cast<float*>(o.data), rows, cols, info[4].ToBoolean());
  return info.Env().Undefined();
}

// transpose(x, out, shape: Int32Array, perm: Int32Array)
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  Array x, o, s, p;
  if (!typedArray(info, 0, &x) || !typedArray(info, 1, &o) || !typedArray(info, 2, &s) || !typedArray(info, 3, &p))
    return {};
  const int rank = static_cast<int>(s.length);
  const int32_t* dims = static_cast<int32_t*>(s.data);
  const int32_t* perm = static_cast<int32_t*>(p.data);
  int64_t shape[hs::kMaxRank];
  int64_t size = 1;
  bool ok = rank >= 1 && rank <= hs::kMaxRank && p.length == s.length && x.type == o.type &&
            elemBytes(x.type) == elemBytes(o.type) && (elemBytes(x.type) == 4 || elemBytes(x.type) == 1);
  unsigned seen = 0;
  for (int i = 0; ok && i < rank; ++i) {
    shape[i] = dims[i];
    size *= shape[i];
    ok = perm[i] >= 0 && perm[i] < rank && !(seen & (1u << perm[i]));
    seen |= 1u << perm[i];
  }
  ok = ok && static_cast<int64_t>(x.length) >= size && static_cast<int64_t>(o.length) >= size;
  if (!check(info, ok, "transpose: bad arguments")) return {};
  if (size == 0) return info.Env().Undefined();
  hs::transpose(static_cast<float*>(x.data), static_cast<float*>(o.data), rank, shape, perm,
                static_cast<int>(elemBytes(x.type)));
  return info.Env().Undefined();
}

// gather(x, indices, out, outer, axisDim, inner) -> position of the first out-of-range index, or -1
Napi::Value Gather(const Napi::CallbackInfo& info) {
  Array x, idx, o;
  if (!typedArray(info, 0, &x) || !typedArray(info, 1, &idx) || !typedArray(info, 2, &o)) return {};
  const int64_t outer = num(info, 3), axisDim = num(info, 4), inner = num(info, 5);
  const int64_t n = static_cast<int64_t>(idx.length);
  const size_t eb = elemBytes(x.type);
  const bool ok = idx.type == napi_int32_array && x.type == o.type && outer >= 0 && axisDim >= 0 && inner >= 0 &&
                  static_cast<int64_t>(x.length) >= outer * axisDim * inner &&
                  static_cast<int64_t>(o.length) >= outer * n * inner;
  if (!check(info, ok, "gather: bad sizes")) return {};
  const int64_t bad = hs::gather(x.data, static_cast<int32_t*>(idx.data), o.data, outer, axisDim, inner, n,
                                 static_cast<int>(eb));
  return Napi::Number::New(info.Env(), static_cast<double>(bad));
}

// segmentSum(x, ids, out, inner, numSegments)
Napi::Value SegmentSum(const Napi::CallbackInfo& info) {
  Array x, ids, o;
  if (!typedArray(info, 0, &x) || !typedArray(info, 1, &ids) || !typedArray(info, 2, &o)) return {};
  const int64_t inner = num(info, 3), numSegments = num(info, 4);
  const int64_t n = static_cast<int64_t>(ids.length);
  const bool ok = x.type == napi_float32_array && ids.type == napi_int32_array && o.type == napi_float32_array &&
                  inner >= 0 && numSegments >= 0 && static_cast<int64_t>(x.length) >= n * inner &&
                  static_cast<int64_t>(o.length) >= numSegments * inner;
  if (!check(info, ok, "segmentSum: bad sizes")) return {};
  hs::unsortedSegmentSum(static_cast<float*>(x.data), static_cast<int32_t*>(ids.data), static_cast<float*>(o.data),
                         n, inner, numSegments);
  return info.Env().Undefined();
}

bool floatsOf(const Napi::CallbackInfo& info, std::initializer_list<size_t> idx, Array* out, int64_t need) {
  size_t k = 0;
  for (size_t i : idx) {
    if (!typedArray(info, i, &out[k])) return false;
    if (!check(info, out[k].type == napi_float32_array && static_cast<int64_t>(out[k].length) >= need,
               "fused kernel: bad sizes"))
      return false;
    ++k;
  }
  return true;
}

float f32(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().FloatValue(); }

// layerNorm(x, gamma, beta, out, rows, d, eps)
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  const int64_t rows = num(info, 4), d = num(info, 5);
  Array x[2], gb[2];
  if (!floatsOf(info, {0, 3}, x, rows * d) || !floatsOf(info, {1, 2}, gb, d)) return {};
  hs::layerNorm(static_cast<float*>(x[0].data), static_cast<float*>(gb[0].data), static_cast<float*>(gb[1].data),
                static_cast<float*>(x[1].data), rows, d, f32(info, 6));
  return info.Env().Undefined();
}

// layerNormBackward(dy, x, gamma, dx, dgamma, dbeta, rows, d, eps)
Napi::Value LayerNormBackward(const Napi::CallbackInfo& info) {
  const int64_t rows = num(info, 6), d = num(info, 7);
  Array big[3], small[3];
  if (!floatsOf(info, {0, 1, 3}, big, rows * d) || !floatsOf(info, {2, 4, 5}, small, d)) return {};
  hs::layerNormBackward(static_cast<float*>(big[0].data), static_cast<float*>(big[1].data),
                        static_cast<float*>(small[0].data), static_cast<float*>(big[2].data),
                        static_cast<float*>(small[1].data), static_cast<float*>(small[2].data), rows, d, f32(info, 8));
  return info.Env().Undefined();
}

// geluBackward(dy, x, dx)
Napi::Value GeluBackward(const Napi::CallbackInfo& info) {
  Array a[3];
  Array x;
  if (!typedArray(info, 1, &x)) return {};
  const int64_t n = static_cast<int64_t>(x.length);
  if (!floatsOf(info, {0, 1, 2}, a, n)) return {};
  hs::geluBackward(static_cast<float*>(a[0].data), static_cast<float*>(a[1].data), static_cast<float*>(a[2].data), n);
  return info.Env().Undefined();
}

// softmaxBackward(dy, y, dx, rows, cols)
Napi::Value SoftmaxBackward(const Napi::CallbackInfo& info) {
  const int64_t rows = num(info, 3), cols = num(info, 4);
  Array a[3];
  if (!floatsOf(info, {0, 1, 2}, a, rows * cols)) return {};
  hs::softmaxBackward(static_cast<float*>(a[0].data), static_cast<float*>(a[1].data), static_cast<float*>(a[2].data),
                      rows, cols);
  return info.Env().Undefined();
}

bool labelsOf(const Napi::CallbackInfo& info, size_t i, Array* out, int64_t rows, int64_t cols) {
  if (!typedArray(info, i, out)) return false;
  bool ok = out->type == napi_int32_array && static_cast<int64_t>(out->length) >= rows;
  const int32_t* l = static_cast<int32_t*>(out->data);
  for (int64_t r = 0; ok && r < rows; ++r) ok = l[r] >= 0 && l[r] < cols;
  return check(info, ok, "softmax cross-entropy: labels must be int32 in [0, classes)");
}

// softmaxXent(logits, labels, loss, rows, cols)
Napi::Value SoftmaxXent(const Napi::CallbackInfo& info) {
  const int64_t rows = num(info, 3), cols = num(info, 4);
  Array big[1], loss[1], labels;
  if (!floatsOf(info, {0}, big, rows * cols) || !floatsOf(info, {2}, loss, rows) ||
      !labelsOf(info, 1, &labels, rows, cols))
    return {};
  hs::softmaxXent(static_cast<float*>(big[0].data), static_cast<int32_t*>(labels.data),
                  static_cast<float*>(loss[0].data), rows, cols);
  return info.Env().Undefined();
}

// softmaxXentBackward(logits, labels, out, rows, cols, scale)
Napi::Value SoftmaxXentBackward(const Napi::CallbackInfo& info) {
  const int64_t rows = num(info, 3), cols = num(info, 4);
  Array big[2], labels;
  if (!floatsOf(info, {0, 2}, big, rows * cols) || !labelsOf(info, 1, &labels, rows, cols)) return {};
  hs::softmaxXentBackward(static_cast<float*>(big[0].data), static_cast<int32_t*>(labels.data),
                          static_cast<float*>(big[1].data), rows, cols, f32(info, 5));
  return info.Env().Undefined();
}

// sumSquares(x) -> sum of x[i]^2 (double)
Napi::Value SumSquares(const Napi::CallbackInfo& info) {
  Array x;
  if (!typedArray(info, 0, &x)) return {};
  if (!check(info, x.type == napi_float32_array, "sumSquares: float32 expected")) return {};
  return Napi::Number::New(info.Env(), hs::sumSquares(static_cast<float*>(x.data), static_cast<int64_t>(x.length)));
}

// adamw(p, g, m, v, pOut, mOut, vOut, beta1, beta2, eps, decay, stepSize, bias2Sqrt[, gradScale])
Napi::Value AdamW(const Napi::CallbackInfo& info) {
  Array first;
  if (!typedArray(info, 0, &first)) return {};
  const int64_t n = static_cast<int64_t>(first.length);
  Array a[7];
  if (!floatsOf(info, {0, 1, 2, 3, 4, 5, 6}, a, n)) return {};
  const double beta1 = info[7].As<Napi::Number>().DoubleValue();
  const double beta2 = info[8].As<Napi::Number>().DoubleValue();
  const hs::AdamWHyper h{static_cast<float>(beta1),
                         static_cast<float>(beta2),
                         f32(info, 9),
                         f32(info, 10),
                         f32(info, 11),
                         f32(info, 12),
                         static_cast<float>(1.0 - beta1),
                         static_cast<float>(1.0 - beta2),
                         info.Length() > 13 ? f32(info, 13) : 1.0f};
  hs::adamw(static_cast<float*>(a[0].data), static_cast<float*>(a[1].data), static_cast<float*>(a[2].data),
            static_cast<float*>(a[3].data), static_cast<float*>(a[4].data), static_cast<float*>(a[5].data),
            static_cast<float*>(a[6].data), n, h);
  return info.Env().Undefined();
}

// An optional float32 argument of at least `need` elements: null/undefined gives nullptr.
bool optionalFloats(const Napi::CallbackInfo& info, size_t i, int64_t need, const float** out) {
  *out = nullptr;
  if (info[i].IsNull() || info[i].IsUndefined()) return true;
  Array a[1];
  if (!floatsOf(info, {i}, a, need)) return false;
  *out = static_cast<const float*>(a[0].data);
  return true;
}

// Reads (batch, seq, heads, headSize, scale) from arguments first..first+4.
bool attentionShape(const Napi::CallbackInfo& info, size_t first, hs::AttentionShape* s) {
  *s = {num(info, first), num(info, first + 1), num(info, first + 2), num(info, first + 3), f32(info, first + 4)};
  return check(info, s->batch >= 0 && s->seq >= 0 && s->heads >= 0 && s->headSize >= 0, "attention: bad shape");
}

// attention(q, k, v, keyBias|null, dropMask|null, probs, ctx, batch, seq, heads, headSize, scale)
Napi::Value Attention(const Napi::CallbackInfo& info) {
  hs::AttentionShape s;
  if (!attentionShape(info, 7, &s)) return {};
  const int64_t act = s.batch * s.seq * s.heads * s.headSize, sq = s.batch * s.heads * s.seq * s.seq;
  Array a[4], p[1];
  const float *bias, *mask;
  if (!floatsOf(info, {0, 1, 2, 6}, a, act) || !floatsOf(info, {5}, p, sq) ||
      !optionalFloats(info, 3, s.batch * s.seq, &bias) || !optionalFloats(info, 4, sq, &mask))
    return {};
  hs::attentionForward(static_cast<float*>(a[0].data), static_cast<float*>(a[1].data), static_cast<float*>(a[2].data),
                       bias, mask, static_cast<float*>(p[0].data), static_cast<float*>(a[3].data), s);
  return info.Env().Undefined();
}

// attentionBackward(dctx, q, k, v, probs, dropMask|null, dq, dk, dv, batch, seq, heads, headSize, scale)
Napi::Value AttentionBackward(const Napi::CallbackInfo& info) {
  hs::AttentionShape s;
  if (!attentionShape(info, 9, &s)) return {};
  const int64_t act = s.batch * s.seq * s.heads * s.headSize, sq = s.batch * s.heads * s.seq * s.seq;
  Array a[7], p[1];
  const float* mask;
  if (!floatsOf(info, {0, 1, 2, 3, 6, 7, 8}, a, act) || !floatsOf(info, {4}, p, sq) ||
      !optionalFloats(info, 5, sq, &mask))
    return {};
  auto f = [&](int i) { return static_cast<float*>(a[i].data); };
  hs::attentionBackward(f(0), f(1), f(2), f(3), static_cast<float*>(p[0].data), mask, f(4), f(5), f(6), s);
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  hs::setThreads(1);
  hs::setBlasThreads(1);
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("setBlasThreads", Napi::Function::New(env, SetBlasThreads));
  exports.Set("poolStats", Napi::Function::New(env, PoolStats));
  exports.Set("threads", Napi::Function::New(env, Threads));
  exports.Set("blasConfig", Napi::Function::New(env, BlasConfig));
  exports.Set("matmul", Napi::Function::New(env, MatMul));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("transpose", Napi::Function::New(env, Transpose));
  exports.Set("gather", Napi::Function::New(env, Gather));
  exports.Set("segmentSum", Napi::Function::New(env, SegmentSum));
  exports.Set("layerNorm", Napi::Function::New(env, LayerNorm));
  exports.Set("layerNormBackward", Napi::Function::New(env, LayerNormBackward));
  exports.Set("geluBackward", Napi::Function::New(env, GeluBackward));
  exports.Set("softmaxBackward", Napi::Function::New(env, SoftmaxBackward));
  exports.Set("sumSquares", Napi::Function::New(env, SumSquares));
  exports.Set("adamw", Napi::Function::New(env, AdamW));
  exports.Set("softmaxXent", Napi::Function::New(env, SoftmaxXent));
  exports.Set("softmaxXentBackward", Napi::Function::New(env, SoftmaxXentBackward));
  exports.Set("attention", Napi::Function::New(env, Attention));
  exports.Set("attentionBackward", Napi::Function::New(env, AttentionBackward));
  return exports;
}

}  // namespace

NODE_API_MODULE(headstart_compute, Init)
