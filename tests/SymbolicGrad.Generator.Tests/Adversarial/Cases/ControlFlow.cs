namespace SymbolicGrad.Generator.Tests.Adversarial;

/// <summary>Statements and functions: loops, refusals of what has no derivative, recursion, helpers, local functions, lambdas, LINQ.</summary>
public static partial class AdversarialCases
{
    private static IEnumerable<AdversarialCase> ControlFlow()
    {
        const string S5 = "issue 8 §5";
        const string N9 = "issue 9";

        // ---- loops ----
        yield return G("AssignmentsInNestedLoopConditionsWithJumps", """
                [Differentiable] public static double F(double x, int n)
                {
                    double s = 1;
                    int k = n;
                    while (--k >= 0)
                    {
                        int j = 0;
                        while (j++ < k)
                        {
                            if (j == 2) continue;
                            s = s * x + j;
                            if (s > 50) break;
                        }

                        if (k == 1 && s > 20) return s * x;
                    }

                    for (int i = 10; (i -= 3) > 0;)
                    {
                        if (i == 4) continue;
                        s += Math.Sin(x * i);
                    }

                    return s;
                }
            """, note: "conditions that change their counter (--k, j++, i -= 3), evaluated at the top of each iteration, with continue, break and return") with
        {
            Targets =
            [
                new Target { Data = new Dictionary<string, string> { ["n"] = "0" }, Closed = x => [7 * Math.Cos(7 * x[0]) + Math.Cos(x[0])] },
                new Target { Data = new Dictionary<string, string> { ["n"] = "3" } },
                new Target { Data = new Dictionary<string, string> { ["n"] = "5" }, High = 2.5 },
            ],
        };
        yield return G("ForWithTwoVariables", """
                [Differentiable] public static double F(double x)
                {
                    double s = 0;
                    for (int i = 0, j = 6; i < j; i++, j--) s += x * (j - i);
                    return s * x;
                }
            """, x => [2 * x[0] * 12], "for with two variables");
        yield return G("WhileTrueWithBreak", """
                [Differentiable] public static double F(double x)
                {
                    double p = 1;
                    int k = 0;
                    while (true)
                    {
                        p *= x;
                        if (++k == 4) break;
                    }

                    return p;
                }
            """, x => [4 * Math.Pow(x[0], 3)], "while (true) with break");
        yield return G("DoWhileOnTheValue", """
                [Differentiable] public static double F(double x)
                {
                    double y = x;
                    int guard = 0;
                    do
                    {
                        y = y * 1.5;
                        guard++;
                    }
                    while (y < 10 && guard < 100);
                    return y;
                }
            """, note: "do/while whose trip count depends on the value") with { Targets = [new Target { Points = [[0.7], [1.3]] }] };
        yield return G("ReturnFromNestedLoops", """
                [Differentiable] public static double F(double x)
                {
                    double s = 0;
                    for (int i = 0; i < 5; i++)
                    {
                        for (int j = 0; j < 5; j++)
                        {
                            s += x * (i + j);
                            if (s > 6) return s * x;
                        }
                    }

                    return -s;
                }
            """, note: "return from nested loops") with { Targets = [new Target { Points = [[0.9], [1.3], [0.4]] }] };
        yield return G("BreakInsideSwitchInsideLoop", """
                [Differentiable] public static double F(double x, int n)
                {
                    double s = 0;
                    for (int i = 0; i < n; i++)
                    {
                        switch (i % 3)
                        {
                            case 0:
                                s += x;
                                break;
                            case 1:
                                s *= x;
                                continue;
                            default:
                                s -= 0.5;
                                break;
                        }

                        s += 0.1;
                    }

                    return s;
                }
            """, note: "break in a switch inside a loop (leaves the switch, not the loop) and continue") with
        {
            Targets = [new Target { Data = new Dictionary<string, string> { ["n"] = "7" } }],
        };
        yield return G("ForeachWithIndexAndDeconstruction", """
                [Differentiable] public static double F(double[] w, [NoDerivative] double[] xs)
                {
                    double s = 0;
                    int i = 0;
                    foreach (var x in xs)
                    {
                        s += w[i % w.Length] * x;
                        i++;
                    }

                    return s * s;
                }
            """, note: "foreach with a running index") with
        {
            Targets = [new Target { Lengths = new Dictionary<string, int> { ["w"] = 2 }, Data = new Dictionary<string, string> { ["xs"] = "new double[] { 0.5, 1.5, -1.0 }" } }],
        };
        yield return G("RealValuedLoopCounter", """
                [Differentiable] public static double F(double x)
                {
                    double s = 0;
                    for (double t = 0; t < 1; t += 0.125) s += Math.Sin(t * x);
                    return s;
                }
            """, x => [Enumerable.Range(0, 8).Sum(i => i * 0.125 * Math.Cos(i * 0.125 * x[0]))], N9 + " §1.9: real-valued loop counters on data");
        yield return G("NestedLoopsSixDeep", """
                [Differentiable] public static double F(double x)
                {
                    double s = 0;
                    for (int a = 0; a < 2; a++)
                        for (int b = 0; b < 2; b++)
                            for (int c = 0; c < 2; c++)
                                for (int d = 0; d < 2; d++)
                                    for (int e = 0; e < 2; e++)
                                        for (int f = 0; f < 2; f++)
                                            s += x * (a + b + c + d + e + f);
                    return s * x;
                }
            """, x => [2 * x[0] * 192], S5 + ": deep nesting");
        yield return G("IfElseChainFiftyDeep", """
                [Differentiable] public static double F(double x)
                {
            """ + string.Concat(Enumerable.Range(0, 50).Select(i => "        if (x < " + (0.35 + 0.03 * i).ToString("R", System.Globalization.CultureInfo.InvariantCulture) + ") return x * " + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + ";\n        else\n")) +
            "        return -x;\n    }", note: S5 + ": deep nesting (an if/else chain of 50)");
        yield return G("NestedBlocksFiftyDeep", """
                [Differentiable] public static double F(double x)
                {
                    double y = x;
            """ + string.Concat(Enumerable.Range(0, 50).Select(_ => "{ y = y * 1.01 + x; ")) + string.Concat(Enumerable.Range(0, 50).Select(_ => "} ")) + "\n        return y;\n    }",
            note: S5 + ": deep nesting (50 nested blocks)");

        // ---- refused statements ----
        yield return E("TryCatch", "SG0010", """
                [Differentiable] public static double F(double x)
                {
                    [|try|] { x = x * 2; } catch (Exception) { x = 0; }
                    return x;
                }
            """, "try", "caller");
        yield return E("TryFinally", "SG0010", """
                [Differentiable] public static double F(double x)
                {
                    double y = 0;
                    [|try|] { y = x * x; } finally { y += 1; }
                    return y;
                }
            """, "try");
        yield return E("LockStatement", "SG0011", """
                private static readonly object Gate = new();
                [Differentiable] public static double F(double x)
                {
                    [|lock|] (Gate) { x = x * 2; }
                    return x;
                }
            """, "lock", "caller");
        yield return E("UsingStatement", "SG0016", """
                [Differentiable] public static double F(double x)
                {
                    [|using|] (var stream = new System.IO.MemoryStream()) { x = x * stream.Length; }
                    return x;
                }
            """, "using", "caller");
        yield return E("GotoCase", "SG0012", """
                [Differentiable] public static double F(double x, int k)
                {
                    switch (k)
                    {
                        case 0: x = x * 2; [|goto|] case 1;
                        case 1: x = x + 1; break;
                    }

                    return x;
                }
            """, "goto", "if/else");
        yield return E("YieldInsideLocalIterator", "SG0006", """
                [Differentiable] public static double F(double x)
                {
                    double s = 0;
                    foreach (var v in [|Powers(x)|]) s += v;
                    return s;

                    static IEnumerable<double> Powers(double v) { yield return v; yield return v * v; }
                }
            """, "sequence", "arrays") with { Note = "an iterator local function" };
        yield return E("DynamicOperand", "SG0013", """
                [Differentiable] public static double F(double x, dynamic scale) => [|x * scale|];
            """, "dynamic");
        yield return E("DelegateParameterInvocation", "SG0014", """
                [Differentiable] public static double F(double x, [NoDerivative] Func<double, double> g) => [|g(x)|];
            """, "delegate", "lambda written in this method");
        yield return E("WriteToAStaticField", "SG0018", """
                private static double _last;
                [Differentiable] public static double F(double x)
                {
                    [|_last|] = x;
                    return x * x;
                }
            """, "_last");
        yield return E("WriteIntoAnInputArray", "SG0018", """
                [Differentiable] public static double F(double[] x)
                {
                    [|x[0]|] = 2;
                    return x[0] * x[1];
                }
            """, "x", "copy");
        yield return E("DirectRecursion", "SG0024", """
                [Differentiable] public static double F(double x, int n) => n == 0 ? x : x * [|F(x, n - 1)|];
            """, "recursively", "loop") with { Note = S5 + ": recursion" };
        yield return E("MutualRecursionThroughAHelper", "SG0024", """
                static double G(double x, int n) => n <= 0 ? 1 : x * [|F(x, n - 1)|];
                [Differentiable] public static double F(double x, int n) => 1 + x * G(x, n);
            """, "through 'G'", "loop") with { Note = S5 + ": recursion (the message names the helper the cycle goes through)" };
        yield return E("DelegateFromAMethodGroup", "SG0014", """
                static double Sq(double v) => v * v;
                [Differentiable] public static double F(double x, bool useSquare)
                {
                    Func<double, double> g = useSquare ? Sq : Math.Sin;
                    return [|g(x)|];
                }
            """, "delegate") with { Note = "a delegate chosen at run time" };

        // ---- helpers, local functions, lambdas ----
        yield return G("HelperWithoutAttribute", """
                static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
                static double Sq(double v) => v * v;
                [Differentiable] public static double F(double x, double y) => Sq(Sigmoid(x * y) - 0.25);
            """, x =>
            {
                double s = 1 / (1 + Math.Exp(-x[0] * x[1]));
                double g = 2 * (s - 0.25) * s * (1 - s);
                return [g * x[1], g * x[0]];
            }, N9 + " §1.2: helpers without [Differentiable]");
        yield return G("HelperInAnotherClassAndNamespace", Usings + "namespace $NS.Lib\n{\n    public static class Activation { public static double Softplus(double z) => Math.Log(1 + Math.Exp(z)); }\n}\nnamespace $NS\n{\n    public static partial class C\n    {\n        [Differentiable] public static double F(double x) => Lib.Activation.Softplus(2 * x);\n    }\n}\n",
            x => [2 / (1 + Math.Exp(-2 * x[0]))], N9 + " §1.2") with { WholeFile = true };
        yield return G("HelperWithALoopAndEarlyReturn", """
                static double Poly(double x, int degree)
                {
                    if (degree == 0) return 1;
                    double p = 0;
                    for (int k = degree; k >= 0; k--) p = p * x + (k + 1);
                    return p;
                }
                [Differentiable] public static double F(double x) => Poly(x, 3) * x;
            """, x => [4 * 4 * Math.Pow(x[0], 3) + 3 * 3 * x[0] * x[0] + 2 * 2 * x[0] + 1], N9 + " §1.2");
        yield return G("HelperCalledWithConstantsOnly", """
                static double LogGamma(double v)
                {
                    double s = 0;
                    for (int i = 1; i < (int)v; i++) s += Math.Log(i);
                    return s;
                }
                [Differentiable] public static double F(double x) => LogGamma(6) * x;
            """, x => [Math.Log(120)], N9 + " §1.2: a helper whose arguments are constants needs no derivative");
        yield return G("HelperWithOutParameters", """
                static void Split(double v, out double whole, out double twice) { whole = v * v; twice = 2 * v; }
                [Differentiable] public static double F(double x)
                {
                    Split(x, out var a, out double b);
                    return a * b;
                }
            """, x => [6 * x[0] * x[0]], "out arguments to a helper");
        yield return G("StaticLocalFunction", """
                [Differentiable] public static double F(double x)
                {
                    return Sq(x) + Sq(2 * x);
                    static double Sq(double v) => v * v;
                }
            """, x => [10 * x[0]], S5 + ": static local functions");
        yield return G("LocalFunctionCapturingState", """
                [Differentiable] public static double F(double x, double y)
                {
                    double k = x * y;
                    double Scaled(double v) => k * v;
                    k += 1;
                    return Scaled(x) + Scaled(y);
                }
            """, x => [(x[1] * (x[0] + x[1])) + (x[0] * x[1] + 1), x[0] * (x[0] + x[1]) + (x[0] * x[1] + 1)], S5 + ": local functions capturing state (read after a write)");
        yield return G("NestedLocalFunctions", """
                [Differentiable] public static double F(double x)
                {
                    double Outer(double a)
                    {
                        double Inner(double b) => b * a;
                        return Inner(a) + Inner(x);
                    }

                    return Outer(x * 2);
                }
            """, x => [8 * x[0] + 4 * x[0]], "nested local functions");
        yield return G("GenericLocalFunction", """
                [Differentiable] public static double F(double x)
                {
                    static T Twice<T>(T v) where T : System.Numerics.INumber<T> => v + v;
                    return Twice(x) * Twice(3) * x;
                }
            """, x => [24 * x[0]], "generic local functions");
        yield return G("LambdaWithCapturedState", """
                [Differentiable] public static double F(double x)
                {
                    double scale = x * 2;
                    Func<double, double> f = v => v * scale;
                    var g = (double v) => f(v) + v;
                    return g(x) + f(1);
                }
            """, x => [4 * x[0] + 1 + 2], S5 + ": lambdas with captured state");
        yield return G("StaticLambda", """
                [Differentiable] public static double F(double x)
                {
                    Func<double, double> sq = static v => v * v;
                    return sq(x) + sq(sq(x));
                }
            """, x => [2 * x[0] + 4 * Math.Pow(x[0], 3)], "static lambdas");
        yield return G("LambdaWithStatementBody", """
                [Differentiable] public static double F(double x)
                {
                    Func<double, int, double> pow = (v, n) =>
                    {
                        double p = 1;
                        for (int i = 0; i < n; i++) p *= v;
                        return p;
                    };

                    return pow(x, 3) + pow(x, 2);
                }
            """, x => [3 * x[0] * x[0] + 2 * x[0]], "lambdas with statement bodies");

        // ---- LINQ ----
        yield return G("LinqSelectSum", """
                [Differentiable] public static double F(double[] w, [NoDerivative] double[] xs) => xs.Select((x, i) => w[i] * x).Sum() + w.Sum(v => v * v);
            """, x => [0.5 + 2 * x[0], -1.25 + 2 * x[1], 2.0 + 2 * x[2]], N9 + " §1.4: LINQ");
        yield return G("LinqZipMaxMinAverage", """
                [Differentiable] public static double F(double[] a, double[] b) => a.Zip(b, (p, q) => p * q).Sum() + a.Max() - b.Min() + a.Average();
            """, note: N9 + " §1.4: Zip, Max, Min, Average") with { Targets = [new Target { Low = 0.35, High = 3.0 }] };
        yield return G("LinqAggregateAndRange", """
                [Differentiable] public static double F(double[] x) => x.Aggregate(1.0, (acc, v) => acc * v) + Enumerable.Range(0, x.Length).Sum(i => i * x[i]);
            """, x => [x[1] * x[2], x[0] * x[2] + 1, x[0] * x[1] + 2], N9 + " §1.4: Aggregate, Enumerable.Range");
        yield return G("LinqQuerySyntax", """
                [Differentiable] public static double F(double[] x)
                {
                    var squares = from v in x where v > 0.5 select v * v;
                    return squares.Sum();
                }
            """, x => x.Select(v => v > 0.5 ? 2 * v : 0).ToArray(), "LINQ query syntax");
    }
}
