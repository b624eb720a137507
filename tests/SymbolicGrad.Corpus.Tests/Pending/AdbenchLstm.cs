// A natural first draft the generator does not compile yet (see CorpusPendingTests in SymbolicGrad.Generator.Tests):
// the ADBench LSTM objective structured like ADBench's reference lstm.h. Refused today: (1) implicit conversions
// double[] → Span/ReadOnlySpan and Span → ReadOnlySpan at helper calls (SG0017); (2) a span variable that the layer
// loop re-points (`xp = s.Slice(...)`, ADBench's `xp = &s[i*2*b]`) and the sequence loop re-points (`input = ygold`):
// SG0006 "A span that the loop ... chooses or changes from one iteration to the next". Drafts/AdbenchLstm.cs has the
// workarounds (Span parameters, explicit AsSpan(), the layer input copied into a local array, the step's input
// sliced afresh each iteration).
using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicGrad;

namespace SymbolicGrad.Corpus.Pending;

/// <summary>l layers of hidden size b; the sequence has c steps of b values; main parameters l × 2 × 4b, extra 3b.</summary>
public static partial class AdbenchLstm
{
    private static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    private static double LogSumExp(ReadOnlySpan<double> v)
    {
        double mx = v[0];
        for (int i = 1; i < v.Length; i++)
        {
            mx = Math.Max(mx, v[i]);
        }

        double s = 0;
        for (int i = 0; i < v.Length; i++)
        {
            s += Math.Exp(v[i] - mx);
        }

        return Math.Log(s) + mx;
    }

    /// <summary>One LSTM cell: updates hidden and cell in place.</summary>
    private static void Model(int hsize, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> hidden, Span<double> cell, ReadOnlySpan<double> input)
    {
        var gates = new double[4 * hsize];
        for (int i = 0; i < hsize; i++)
        {
            gates[i] = Sigmoid(input[i] * weight[i] + bias[i]);
            gates[hsize + i] = Sigmoid(hidden[i] * weight[hsize + i] + bias[hsize + i]);
            gates[2 * hsize + i] = Sigmoid(input[i] * weight[2 * hsize + i] + bias[2 * hsize + i]);
            gates[3 * hsize + i] = Math.Tanh(hidden[i] * weight[3 * hsize + i] + bias[3 * hsize + i]);
        }

        for (int i = 0; i < hsize; i++)
        {
            cell[i] = cell[i] * gates[i] + gates[hsize + i] * gates[3 * hsize + i];
            hidden[i] = gates[2 * hsize + i] * Math.Tanh(cell[i]);
        }
    }

    private static void Predict(int l, int b, ReadOnlySpan<double> w, ReadOnlySpan<double> w2, Span<double> s, ReadOnlySpan<double> x, Span<double> x2)
    {
        for (int i = 0; i < b; i++)
        {
            x2[i] = x[i] * w2[i];
        }

        ReadOnlySpan<double> xp = x2;
        for (int i = 0; i < l; i++)
        {
            Model(b, w.Slice(i * 2 * 4 * b, 4 * b), w.Slice((i * 2 + 1) * 4 * b, 4 * b), s.Slice(i * 2 * b, b), s.Slice((i * 2 + 1) * b, b), xp);
            xp = s.Slice(i * 2 * b, b);
        }

        for (int i = 0; i < b; i++)
        {
            x2[i] = xp[i] * w2[b + i] + w2[2 * b + i];
        }
    }

    [Differentiable]
    public static double Objective(double[] mainParams, double[] extraParams, [NoDerivative] double[] state, [NoDerivative] double[] sequence,
        [NoDerivative] int l, [NoDerivative] int c, [NoDerivative] int b)
    {
        var s = state.ToArray();
        double total = 0;
        int count = 0;
        ReadOnlySpan<double> input = sequence.AsSpan(0, b);
        var ypred = new double[b];
        var ynorm = new double[b];
        for (int t = 0; t < c - 1; t++)
        {
            Predict(l, b, mainParams, extraParams, s, input, ypred);
            double lse = LogSumExp(ypred);
            for (int i = 0; i < b; i++)
            {
                ynorm[i] = ypred[i] - lse;
            }

            var ygold = sequence.AsSpan((t + 1) * b, b);
            for (int i = 0; i < b; i++)
            {
                total += ygold[i] * ynorm[i];
            }

            count += b;
            input = ygold;
        }

        return -total / count;
    }
}

public static class Checks
{
    public static IEnumerable<(string Name, DifferentiableFunction Function, double[] Point)> Cases()
    {
        var rng = new Random(13);
        double[] R(int n) => Enumerable.Range(0, n).Select(_ => 2 * rng.NextDouble() - 1).ToArray();
        foreach (var (l, c, b) in new[] { (2, 4, 3), (1, 3, 2) })
        {
            var f = AdbenchLstm.ObjectiveObjective(l * 2 * 4 * b, 3 * b, R(2 * l * b), R(c * b), l, c, b);
            yield return ($"LSTM l={l} c={c} b={b}", f, R(f.Dimension));
            yield return ($"LSTM l={l} c={c} b={b} (second point)", f, R(f.Dimension));
        }
    }
}
