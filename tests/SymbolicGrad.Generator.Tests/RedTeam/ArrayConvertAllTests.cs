using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Array.ConvertAll(w, v => Math.Exp(v)) and Array.ConvertAll(w, Math.Sin) on a differentiated array: SG0017 ("a lambda
/// inside a data expression") before (stop-31 red-team pass), now as w.Select(f).ToArray(). F = (Σ e^wᵢ)·sin w₀:
/// ∂w₀ = e^w₀ sin w₀ + (Σ e^wᵢ) cos w₀, ∂w₁ = e^w₁ sin w₀.
/// </summary>
public class ArrayConvertAllTests
{
    [Fact]
    public void ConvertAllIsASelect()
    {
        double[] w = { 0.3, 0.7 };
        double sum = Math.Exp(w[0]) + Math.Exp(w[1]);
        Expect.Gradient("""
                [Differentiable(Hessian = true)]
                public static double F(double[] w)
                {
                    var e = Array.ConvertAll(w, v => Math.Exp(v));
                    var s = Array.ConvertAll(w, Math.Sin);
                    double total = 0;
                    foreach (var v in e) total += v;
                    return total * s[0];
                }
            """, "F", w, new[] { (Math.Exp(w[0]) * Math.Sin(w[0])) + (sum * Math.Cos(w[0])), Math.Exp(w[1]) * Math.Sin(w[0]) }, 2);
    }
}
