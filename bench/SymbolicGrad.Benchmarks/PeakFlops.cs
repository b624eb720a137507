using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SymbolicGrad.Benchmarks;

/// <summary>The machine's measured peak of float64 multiply-adds on one core, by vector width.</summary>
/// <param name="Scalar">GFLOP/s of scalar <see cref="Math.FusedMultiplyAdd"/>.</param>
/// <param name="Vector256">GFLOP/s of <c>Vector256&lt;double&gt;</c> FMA, or null without FMA.</param>
/// <param name="Vector512">GFLOP/s of <c>Vector512&lt;double&gt;</c> FMA, or null without AVX-512.</param>
public sealed record PeakFlopsResult(double Scalar, double? Vector256, double? Vector512)
{
    /// <summary>The best of the three: the single-core peak the GFLOP/s figures are compared with.</summary>
    public double Best => Math.Max(Scalar, Math.Max(Vector256 ?? 0, Vector512 ?? 0));
}

/// <summary>
/// An FMA throughput kernel: 12 independent chains of a·m + c per vector width (more than latency × pipes on current
/// x64 cores: 4 cycles × 2 FMA pipes), so the loop is bound by FMA throughput alone; 2 flops per lane per FMA. The best
/// of several 100 ms runs on the calling thread.
/// </summary>
public static class PeakFlops
{
    private const int Chains = 12;

    public static PeakFlopsResult Measure(bool quick)
    {
        int runs = quick ? 3 : 7;
        double scalar = Best(runs, Scalar, lanes: 1);
        double? v256 = Fma.IsSupported ? Best(runs, Vector256Fma, lanes: 4) : null;
        double? v512 = Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? Best(runs, Vector512Fma, lanes: 8) : null;
        return new PeakFlopsResult(scalar, v256, v512);
    }

    private static double Best(int runs, Func<long, double> kernel, int lanes)
    {
        kernel(1_000); // jit
        long iterations = 1_000;
        // size a run to about 100 ms
        while (true)
        {
            var watch = Stopwatch.StartNew();
            kernel(iterations);
            if (watch.Elapsed.TotalMilliseconds > 20)
            {
                iterations = (long)(iterations * 100 / watch.Elapsed.TotalMilliseconds);
                break;
            }

            iterations *= 4;
        }

        double best = 0;
        for (int r = 0; r < runs; r++)
        {
            var watch = Stopwatch.StartNew();
            double sink = kernel(iterations);
            double seconds = watch.Elapsed.TotalSeconds;
            if (double.IsNaN(sink))
            {
                throw new InvalidOperationException("the FMA kernel produced NaN");
            }

            best = Math.Max(best, 2.0 * Chains * lanes * iterations / seconds / 1e9);
        }

        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Scalar(long iterations)
    {
        double m = 0.999_999_9;
        double c = 1e-7;
        double a0 = 1.0, a1 = 1.1, a2 = 1.2, a3 = 1.3, a4 = 1.4, a5 = 1.5, a6 = 1.6, a7 = 1.7, a8 = 1.8, a9 = 1.9, a10 = 2.0, a11 = 2.1;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Math.FusedMultiplyAdd(a0, m, c);
            a1 = Math.FusedMultiplyAdd(a1, m, c);
            a2 = Math.FusedMultiplyAdd(a2, m, c);
            a3 = Math.FusedMultiplyAdd(a3, m, c);
            a4 = Math.FusedMultiplyAdd(a4, m, c);
            a5 = Math.FusedMultiplyAdd(a5, m, c);
            a6 = Math.FusedMultiplyAdd(a6, m, c);
            a7 = Math.FusedMultiplyAdd(a7, m, c);
            a8 = Math.FusedMultiplyAdd(a8, m, c);
            a9 = Math.FusedMultiplyAdd(a9, m, c);
            a10 = Math.FusedMultiplyAdd(a10, m, c);
            a11 = Math.FusedMultiplyAdd(a11, m, c);
        }

        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Vector256Fma(long iterations)
    {
        var m = Vector256.Create(0.999_999_9);
        var c = Vector256.Create(1e-7);
        Vector256<double> a0 = Vector256.Create(1.0), a1 = Vector256.Create(1.1), a2 = Vector256.Create(1.2), a3 = Vector256.Create(1.3),
            a4 = Vector256.Create(1.4), a5 = Vector256.Create(1.5), a6 = Vector256.Create(1.6), a7 = Vector256.Create(1.7),
            a8 = Vector256.Create(1.8), a9 = Vector256.Create(1.9), a10 = Vector256.Create(2.0), a11 = Vector256.Create(2.1);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, m, c);
            a1 = Fma.MultiplyAdd(a1, m, c);
            a2 = Fma.MultiplyAdd(a2, m, c);
            a3 = Fma.MultiplyAdd(a3, m, c);
            a4 = Fma.MultiplyAdd(a4, m, c);
            a5 = Fma.MultiplyAdd(a5, m, c);
            a6 = Fma.MultiplyAdd(a6, m, c);
            a7 = Fma.MultiplyAdd(a7, m, c);
            a8 = Fma.MultiplyAdd(a8, m, c);
            a9 = Fma.MultiplyAdd(a9, m, c);
            a10 = Fma.MultiplyAdd(a10, m, c);
            a11 = Fma.MultiplyAdd(a11, m, c);
        }

        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Vector512Fma(long iterations)
    {
        var m = Vector512.Create(0.999_999_9);
        var c = Vector512.Create(1e-7);
        Vector512<double> a0 = Vector512.Create(1.0), a1 = Vector512.Create(1.1), a2 = Vector512.Create(1.2), a3 = Vector512.Create(1.3),
            a4 = Vector512.Create(1.4), a5 = Vector512.Create(1.5), a6 = Vector512.Create(1.6), a7 = Vector512.Create(1.7),
            a8 = Vector512.Create(1.8), a9 = Vector512.Create(1.9), a10 = Vector512.Create(2.0), a11 = Vector512.Create(2.1);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, m, c);
            a1 = Avx512F.FusedMultiplyAdd(a1, m, c);
            a2 = Avx512F.FusedMultiplyAdd(a2, m, c);
            a3 = Avx512F.FusedMultiplyAdd(a3, m, c);
            a4 = Avx512F.FusedMultiplyAdd(a4, m, c);
            a5 = Avx512F.FusedMultiplyAdd(a5, m, c);
            a6 = Avx512F.FusedMultiplyAdd(a6, m, c);
            a7 = Avx512F.FusedMultiplyAdd(a7, m, c);
            a8 = Avx512F.FusedMultiplyAdd(a8, m, c);
            a9 = Avx512F.FusedMultiplyAdd(a9, m, c);
            a10 = Avx512F.FusedMultiplyAdd(a10, m, c);
            a11 = Avx512F.FusedMultiplyAdd(a11, m, c);
        }

        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
