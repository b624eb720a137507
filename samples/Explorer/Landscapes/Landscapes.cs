using SymbolicGrad;

namespace SymbolicGrad.Explorer.Landscapes;

/// <summary>
/// The built-in losses of the Explorer, written as plain C#: the generator writes every gradient the page uses
/// (<c>NameGradient</c>, <c>NameObjective()</c>). Each region is shown on the page and can be opened in the playground.
/// </summary>
public static partial class Landscapes
{
    #region Rosenbrock
    // Rosenbrock's banana: a curved, flat-bottomed valley; the minimum is 0 at (1, 1).
    [Differentiable]
    public static double Rosenbrock(double x, double y) =>
        (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
    #endregion

    #region Beale
    // Beale's function: steep walls and flat plateaus; the minimum is 0 at (3, 0.5).
    [Differentiable]
    public static double Beale(double x, double y)
    {
        double a = 1.5 - x + x * y;
        double b = 2.25 - x + x * y * y;
        double c = 2.625 - x + x * y * y * y;
        return a * a + b * b + c * c;
    }
    #endregion

    #region Bowl
    // A round bowl: every direction curves the same; the minimum is 0 at the origin.
    [Differentiable]
    public static double Bowl(double x, double y) => x * x + y * y;
    #endregion

    #region Ravine
    // A long, tilted, narrow bowl (curvatures 0.2 and 4, condition number 20): gradient descent zig-zags across it.
    [Differentiable]
    public static double Ravine(double x, double y)
    {
        double u = 0.8 * x + 0.6 * y;
        double v = -0.6 * x + 0.8 * y;
        return 0.1 * u * u + 2 * v * v;
    }
    #endregion

    #region Saddle
    // A saddle at the origin (up along x, down along y) between two minima at (0, ±√2), f = −1.
    [Differentiable]
    public static double Saddle(double x, double y) => x * x - y * y + 0.25 * y * y * y * y;
    #endregion

    #region Himmelblau
    // Himmelblau's function: four minima of value 0, at (3, 2), (−2.805, 3.131), (−3.779, −3.283), (3.584, −1.848).
    [Differentiable]
    public static double Himmelblau(double x, double y)
    {
        double a = x * x + y - 11;
        double b = x + y * y - 7;
        return a * a + b * b;
    }
    #endregion

    #region TwoValleys
    // Two valleys along x: a shallow one on the right (x ≈ 1.343, f ≈ 0.856) and a deeper one on the left
    // (x ≈ −1.619, f ≈ −0.937), with a ridge between them at x ≈ 0.276; gentle curvature along y.
    [Differentiable]
    public static double TwoValleys(double x, double y)
    {
        double well = 0.25 * (x * x - 2.25) * (x * x - 2.25);
        return well + 0.6 * x + 0.25 * y * y;
    }
    #endregion
}
