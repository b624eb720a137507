// Natural first drafts the generator does not compile yet (see CorpusPendingTests in SymbolicGrad.Generator.Tests):
// record structs and tuples used as data and locals.
//  - RecordData: reading the properties of a record struct element of a [NoDerivative] array is SG0017 "'s.X' (this
//    property) is not supported ...; read fields and properties of struct values" (the message contradicts itself;
//    and one error per property access).
//  - PathLength: `new Midpoint(...)` of a positional record struct is SG0015 "'.ctor' ... its body could not be read".
//  - PairLoss: `var (v, wt) = pairs[i]` of a tuple array element is SG0017 "deconstruct tuples and structs with a
//    Deconstruct method" (it is a tuple).
//  - WeightedAverage: a local array of tuples `new (double, double)[] { ... }` is SG0006 "An array of this element type".
// Drafts/Structs.cs and Drafts/Tuples.cs hold the variants that compile (plain structs with fields; field access
// p.Weight instead of deconstruction).
using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicGrad;

namespace SymbolicGrad.Corpus.Pending;

public readonly record struct Observation(double X, double Y);

public readonly record struct Midpoint(double X, double Y);

public static partial class RecordsAndTuples
{
    [Differentiable]
    public static double RecordData(double w, double b, [NoDerivative] Observation[] data)
    {
        double loss = 0;
        foreach (var s in data)
        {
            double r = w * s.X + b - s.Y;
            loss += r * r;
        }

        return loss / data.Length;
    }

    private static double Sq(double v) => v * v;

    [Differentiable]
    public static double PathLength(double x0, double y0, double x1, double y1, double bend)
    {
        var mid = new Midpoint((x0 + x1) / 2, (y0 + y1) / 2 + bend);
        return Math.Sqrt(Sq(mid.X - x0) + Sq(mid.Y - y0)) + Math.Sqrt(Sq(x1 - mid.X) + Sq(y1 - mid.Y));
    }

    [Differentiable]
    public static double PairLoss(double a, [NoDerivative] (double Value, double Weight)[] pairs)
    {
        double loss = 0;
        for (int i = 0; i < pairs.Length; i++)
        {
            var (v, wt) = pairs[i];
            loss += wt * (a - v) * (a - v);
        }

        return loss;
    }

    [Differentiable]
    public static double WeightedAverage(double a, double b)
    {
        var pairs = new (double Value, double Weight)[] { (a, 1.0), (b, 2.0), (a * b, 0.5) };
        double num = 0, den = 0;
        foreach (var (v, wt) in pairs)
        {
            num += wt * v;
            den += wt;
        }

        return num / den;
    }
}

public static class Checks
{
    public static IEnumerable<(string Name, DifferentiableFunction Function, double[] Point)> Cases()
    {
        var data = new[] { new Observation(0.5, 1.0), new Observation(-1.0, 0.2), new Observation(2.0, 3.1) };
        yield return ("RecordData", RecordsAndTuples.RecordDataObjective(data), new[] { 0.3, -0.2 });
        yield return ("RecordData (second point)", RecordsAndTuples.RecordDataObjective(data), new[] { -1.1, 0.7 });
        yield return ("PathLength", RecordsAndTuples.PathLengthObjective(), new[] { 0.1, 0.2, 1.5, -0.3, 0.4 });
        yield return ("PathLength (second point)", RecordsAndTuples.PathLengthObjective(), new[] { -1.0, 0.5, 0.5, 0.7, -0.2 });
        var pairs = new[] { (1.0, 2.0), (0.5, 1.0), (-0.3, 0.25) };
        yield return ("PairLoss", RecordsAndTuples.PairLossObjective(pairs), new[] { 0.2 });
        yield return ("PairLoss (second point)", RecordsAndTuples.PairLossObjective(pairs), new[] { -1.3 });
        yield return ("WeightedAverage", RecordsAndTuples.WeightedAverageObjective(), new[] { 0.2, 0.9 });
        yield return ("WeightedAverage (second point)", RecordsAndTuples.WeightedAverageObjective(), new[] { -1.4, 0.3 });
    }
}
