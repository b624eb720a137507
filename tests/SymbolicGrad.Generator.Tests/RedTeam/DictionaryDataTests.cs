using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Red-team R (stop 37): sparse features as first written, [NoDerivative] Dictionary&lt;int, double&gt;[] rows with
/// foreach (var (j, v) in rows[n]) z += w[j] * v, were SG0006 "Enumerating this sequence" (and the deconstruction of a
/// KeyValuePair SG0017), while rows[n].Sum(kv =&gt; ...) worked. A data collection read from a parameter is enumerated
/// once into an array, as foreach enumerates it; KeyValuePair deconstructs into Key and Value. Against the closed form
/// and centered differences.
/// </summary>
public class DictionaryDataTests
{
    [Fact]
    public void ForeachOverDictionaryRowsOfData()
    {
        var rows = new[] { new Dictionary<int, double> { [0] = 1.5, [2] = -1 }, new Dictionary<int, double> { [1] = 2 } };
        double[] y = { 0.5, -1.0 }, w = { 0.3, -0.2, 0.7 };

        // z_n = Σ_j (1 + ½) w_j v_j + ¼ Σ_j w_j; f = Σ (z_n − y_n)²; ∂f/∂w_j = Σ_n 2(z_n − y_n)(1.5 v_nj + ¼ [j in row n]).
        var expected = new double[3];
        for (int n = 0; n < rows.Length; n++)
        {
            double z = rows[n].Sum(kv => 1.5 * w[kv.Key] * kv.Value + 0.25 * w[kv.Key]);
            foreach (var (j, v) in rows[n])
            {
                expected[j] += 2 * (z - y[n]) * (1.5 * v + 0.25);
            }
        }

        Expect.Gradient("""
            using System.Collections.Generic;
            [Differentiable] public static double F(double[] w, [NoDerivative] Dictionary<int, double>[] rows, [NoDerivative] double[] y)
            {
                double loss = 0;
                for (int n = 0; n < rows.Length; n++)
                {
                    double z = 0;
                    foreach (var (j, v) in rows[n]) z += w[j] * v;
                    foreach (KeyValuePair<int, double> kv in rows[n]) z += 0.5 * w[kv.Key] * kv.Value;
                    foreach (var k in rows[n].Keys) z += 0.25 * w[k];
                    loss += (z - y[n]) * (z - y[n]);
                }
                return loss;
            }
            """, "F", w, expected, 3, rows, y);
    }
}
