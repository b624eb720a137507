using System.Globalization;
using Quickstart;
using SymbolicGrad;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

// 1. The loss is plain C# (Losses.cs). At build time the generator wrote LossGradient:
//    double LossGradient(double w, double b, out double dW, out double dB)
double loss = Losses.LossGradient(1.0, 2.0, out double dW, out double dB);
Console.WriteLine("Loss(w, b) = (w − 3)² + 4·b²");
Console.WriteLine($"at (w, b) = (1, 2): Loss = {loss}, ∂Loss/∂w = {dW}, ∂Loss/∂b = {dB}");
Console.WriteLine();

// 2. What the generator derived, in plain math (also in the XML docs of LossGradient).
DifferentiableFunction f = Losses.LossObjective();
Console.WriteLine("The generated gradient:");
foreach (string line in f.Derivatives)
{
    Console.WriteLine("  " + line);
}

Console.WriteLine();

// 3. Check it against centered differences, the way gradcheck is used.
Console.WriteLine(GradientCheck.Check(f, [1.0, 2.0], new GradientCheckOptions { Richardson = true }));
Console.WriteLine(GradientCheck.Check(Losses.ValleyObjective(), [0.7, -0.4], new GradientCheckOptions { Richardson = true }));

// 4. Walk downhill: gradient descent with learning rate 0.1 from (0, 1).
double[] p = [0.0, 1.0];
double[] g = new double[2];
const double learningRate = 0.1;
Console.WriteLine("gradient descent, learning rate 0.1:");
Console.WriteLine(" step         w          b        loss");
for (int step = 0; step <= 40; step++)
{
    double value = f.ValueAndGradient(p, g);
    if (step % 5 == 0)
    {
        Console.WriteLine($"{step,5}  {p[0],9:F5}  {p[1],9:F5}  {value,10:0.000e+00}");
    }

    p[0] -= learningRate * g[0];
    p[1] -= learningRate * g[1];
}

Console.WriteLine($"minimum at (3, 0); reached ({p[0]:F5}, {p[1]:F5})");
