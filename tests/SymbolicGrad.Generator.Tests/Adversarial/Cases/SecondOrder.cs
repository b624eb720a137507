namespace SymbolicGrad.Generator.Tests.Adversarial;

/// <summary>[Differentiable(Hessian = true)] over the same unusual constructs: exact Hessians, or an SG error.</summary>
public static partial class AdversarialCases
{
    private static IEnumerable<AdversarialCase> SecondOrder()
    {
        const string H = "second order (Hessian = true)";

        yield return G("HessianThroughALoopAndABranch", """
                [Differentiable(Hessian = true)] public static double F(double x, double y)
                {
                    double s = 0;
                    for (int i = 1; i <= 3; i++)
                    {
                        if (x * i > 1.5) s += Math.Sin(x * i) * y;
                        else s += x * x * y * i;
                    }

                    return s;
                }
            """, note: H) with { Targets = [new Target { Hessian = true }] };
        yield return G("HessianThroughHelpersAndLocalFunctions", """
                static double Sq(double v) => v * v;
                [Differentiable(Hessian = true)] public static double F(double x, double y)
                {
                    double Cube(double v) => v * Sq(v);
                    return Cube(x) * Math.Exp(y) + Sq(x * y);
                }
            """, note: H) with { Targets = [new Target { Hessian = true }] };
        yield return G("HessianThroughStructsAndTuples", Usings + "namespace $NS;\n" + """
                public readonly struct V2
                {
                    public readonly double A, B;
                    public V2(double a, double b) { A = a; B = b; }
                    public static V2 operator *(V2 p, V2 q) => new(p.A * q.A - p.B * q.B, p.A * q.B + p.B * q.A);
                }
                public static partial class C
                {
                    [Differentiable(Hessian = true)] public static double F(double x, double y)
                    {
                        var z = new V2(x, y);
                        var w = z * z * z;
                        var (a, b) = (w.A, w.B);
                        return a * b + Math.Log(1 + a * a);
                    }
                }
                """, note: H) with { WholeFile = true, Targets = [new Target { Hessian = true }] };
        yield return G("HessianOfAnArrayParameterWithData", """
                [Differentiable(Hessian = true)] public static double F(double[] w, [NoDerivative] double[] xs)
                {
                    double s = 0;
                    for (int i = 0; i < xs.Length; i++)
                    {
                        double z = w[0] * xs[i] + w[1];
                        s += Math.Log(1 + Math.Exp(-z)) + w[2] * z * z;
                    }

                    return s / xs.Length;
                }
            """, note: H) with
        {
            Targets = [new Target { Hessian = true, ObjectiveArguments = "3, new double[] { 0.5, -1.0, 2.0 }", Data = new Dictionary<string, string> { ["xs"] = "new double[] { 0.5, -1.0, 2.0 }" } }],
        };
        yield return G("HessianOfKinksAndPowers", """
                [Differentiable(Hessian = true)] public static double F(double x, double y) => Math.Pow(x, y) + Math.Max(x * y, 1.0) * Math.Sqrt(x) + Math.Atan2(y, x);
            """, note: H) with { Targets = [new Target { Hessian = true }] };
    }
}
