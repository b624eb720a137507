using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Constructs made to work for first order, written again with <c>Hessian = true</c> and as residual methods (their
/// Jacobians), to see whether second order and tangent mode followed (red-team pass rt-2nd, #8). Each test failed before
/// its fix; gradients, Hessians and Jacobians are checked against closed forms and centered differences.
/// </summary>
public class SecondOrderRedTeamTests
{
    /// <summary>
    /// A data array or a parameter chosen per iteration (var a = t[i] &gt; 1.5 ? u : t): the gradient and the Jacobian were
    /// exact, but with Hessian = true it was SG0006 "second derivatives of an array that is partly data (choice)", at
    /// the method's name and naming a temporary of the generator: the reverse sweep takes the choice again
    /// (choice = which == 0 ? u : t), and forward mode had no tangent for the data side of that ternary. The data side now
    /// has zeros of its length as its tangent, as it has where an if/else makes the same choice. f = Σ over tᵢ &gt; 1.5 of
    /// uᵢ³ + u₀u₁uᵢ, plus Σ over the others of tᵢ²uᵢ + t₀t₁uᵢ.
    /// </summary>
    [Fact]
    public void ADataArrayOrAParameterChosenPerIterationHasSecondDerivatives()
    {
        var assembly = Expect.Compiles(Harness.InClass("""
                [Differentiable(Hessian = true)]
                public static double Loss(double[] u, [NoDerivative] double[] t)
                {
                    double s = 0;
                    for (int i = 0; i < t.Length; i++)
                    {
                        var a = t[i] > 1.5 ? u : t;
                        s += a[i] * a[i] * u[i] + a[0] * a[1] * u[i];
                    }

                    return s;
                }
            """));
        double[] t = { 1.0, 2.0, 0.5, 3.0 };
        double[] u = { 0.7, -0.4, 1.2, 0.9 };
        int n = u.Length;
        bool[] chosen = t.Select(ti => ti > 1.5).ToArray();
        double value = 0;
        var gradient = new double[n];
        var hessian = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            if (chosen[i])
            {
                // u_i^3 + u0 u1 u_i
                value += (u[i] * u[i] * u[i]) + (u[0] * u[1] * u[i]);
                gradient[i] += (3 * u[i] * u[i]) + (u[0] * u[1]);
                gradient[0] += u[1] * u[i];
                gradient[1] += u[0] * u[i];
                hessian[(i * n) + i] += 6 * u[i];
                void Add(int p, int q, double h)
                {
                    hessian[(p * n) + q] += h;
                    hessian[(q * n) + p] += h;
                }

                // ∂²(u0 u1 ui): each pair of the three factors, with the third as the entry.
                Add(0, 1, u[i]);
                Add(0, i, u[1]);
                Add(1, i, u[0]);
            }
            else
            {
                value += (t[i] * t[i] * u[i]) + (t[0] * t[1] * u[i]);
                gradient[i] += (t[i] * t[i]) + (t[0] * t[1]);
            }
        }

        NaturalComboTests.CheckSecondOrderWith(assembly, "Loss", new object[] { n, t }, u, value, gradient, hessian);
    }
}
