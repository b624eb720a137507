// Starting points for the playground. Each is plain C#: the server compiles it with SymbolicGrad's generator.
const wrap = (body) => `using System;
using SymbolicGrad;

public static partial class Playground
{
${body}
}
`;

export const examples = [
  {
    title: 'Beale (a branchy valley)',
    box: [-4.5, 4.5, -4.5, 4.5],
    source: wrap(`    // Edit me: every change is compiled with the generator and run.
    [Differentiable]
    public static double Loss(double x, double y)
    {
        double a = 1.5 - x + x * y;
        double b = 2.25 - x + x * y * y;
        double c = 2.625 - x + x * y * y * y;
        return a * a + b * b + c * c;
    }`),
  },
  {
    title: 'A bowl with a bump (Math functions)',
    box: [-3, 3, -3, 3],
    source: wrap(`    [Differentiable]
    public static double Loss(double x, double y)
    {
        double r2 = x * x + y * y;
        return 0.5 * r2 - 2 * Math.Exp(-2 * ((x - 1) * (x - 1) + y * y)) + 0.3 * Math.Sin(3 * x) * Math.Cos(2 * y);
    }`),
  },
  {
    title: 'Branches and Abs (kinks)',
    box: [-3, 3, -3, 3],
    source: wrap(`    [Differentiable]
    public static double Loss(double x, double y)
    {
        double r = Math.Sqrt(x * x + y * y + 1e-6);
        if (x > 0)
        {
            return r + 0.5 * Math.Abs(y - 1);
        }

        return 0.3 * x * x + r;
    }`),
  },
  {
    title: 'A loop: least squares over data in a field',
    box: [-1, 5, -2, 4],
    source: wrap(`    private static readonly double[] Xs = { -1.5, -0.5, 0.2, 0.9, 1.7, 2.4 };
    private static readonly double[] Ys = { -2.1, 0.2, 1.3, 2.6, 4.5, 5.6 };

    // The mean squared error of the line w·x + b.
    [Differentiable]
    public static double Mse(double w, double b)
    {
        double sum = 0;
        for (int i = 0; i < Xs.Length; i++)
        {
            double r = w * Xs[i] + b - Ys[i];
            sum += r * r;
        }

        return sum / Xs.Length;
    }`),
  },
  {
    title: 'Four parameters (an array)',
    source: wrap(`    // Chained Rosenbrock of an array: the vector is w[0..n) (the playground gives arrays length 4 here).
    [Differentiable]
    public static double Loss(double[] w)
    {
        double sum = 0;
        for (int i = 0; i + 1 < w.Length; i++)
        {
            double a = 1 - w[i];
            double b = w[i + 1] - w[i] * w[i];
            sum += a * a + 100 * b * b;
        }

        return sum;
    }`),
    arrayLength: 4,
  },
  {
    title: 'Two methods: a helper called by a loss',
    box: [-3, 3, -3, 3],
    source: wrap(`    [Differentiable]
    public static double SoftPlus(double t) => Math.Log(1 + Math.Exp(t));

    [Differentiable]
    public static double Loss(double x, double y) => SoftPlus(x - y) + SoftPlus(y * y - 2) + 0.1 * x * x;`),
  },
  {
    title: 'Not supported: a generator error (SG)',
    box: [-3, 3, -3, 3],
    source: wrap(`    [Differentiable]
    public static double Loss(double x, double y)
    {
        double[] tmp = new double[2];
        for (int i = 0; i < 2; i++)
        {
            double[] inner = new double[1]; // creating an array inside a loop is not supported yet
            inner[0] = x * i;
            tmp[i] = inner[0] + y;
        }

        return tmp[0] * tmp[0] + tmp[1] * tmp[1];
    }`),
  },
  {
    title: 'An endless loop (stopped after the time limit)',
    box: [-3, 3, -3, 3],
    source: wrap(`    [Differentiable]
    public static double Loss(double x, double y)
    {
        double s = x * x + y * y;
        while (s > -1)
        {
            s = s * 1.0;
        }

        return s;
    }`),
  },
];
