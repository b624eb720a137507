using SymbolicGrad.TestProblems;

namespace SymbolicGrad.Solvers.Tests;

/// <summary>Which published minimum a solver's f is, if any.</summary>
internal static class MghExpectations
{
    /// <summary>
    /// True when <paramref name="f"/> (the paper's f = Σ rᵢ²) is a minimum the paper publishes for <paramref name="p"/>
    /// (to the 6 significant digits the paper prints; f* = 0 counts as reached at f ≤ 1e-10), or, for the trigonometric
    /// function, the local minimum MINPACK's lmder reaches from the standard start (2.79506e-5; the paper gives only f = 0).
    /// </summary>
    public static bool IsPublishedMinimum(MghProblem p, double f, out MghMinimum? which)
    {
        foreach (var m in new[] { p.Minimum }.Concat(p.OtherMinima))
        {
            if (Matches(m.Value, f))
            {
                which = m;
                return true;
            }
        }

        var minpack = MinpackRun.ByNumber(p.Number).F;
        if (p.Number == 26 && Matches(minpack, f))
        {
            which = new MghMinimum(minpack, "the local minimum lmder reaches");
            return true;
        }

        which = null;
        return false;
    }

    /// <summary>True when <paramref name="f"/> is the best minimum the paper gives for this size.</summary>
    public static bool IsGlobal(MghProblem p, double f) => Matches(p.Minimum.Value, f);

    public static bool Matches(double published, double f) =>
        published == 0 ? Math.Abs(f) <= 1e-10 : Math.Abs(f - published) <= 5e-6 * Math.Abs(published);
}
