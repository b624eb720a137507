using System.Reflection;
using System.Text.RegularExpressions;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// Reserved pushes (issue #11): a counted loop that pushes on a stack, with no loop in it pushing on the same stack,
/// reserves its room before it starts and then pushes without a check (no call in the loop). Checked on the generated
/// text: every loop with unchecked pushes is preceded by a reservation on that stack of at least as many values per
/// iteration as it has unchecked pushes, with no loop nested in it pushing on that stack; and the gradients agree with
/// centered differences.
/// </summary>
public class ReservePushesTests
{
    public static TheoryData<string, bool> Bodies => new()
    {
        // Pushes in both arms of a branch.
        { "double s = 0; for (int i = 0; i < x.Length; i++) { double v = x[i]; if (v > 0) s = Math.Sin(s * v) + v; else s = Math.Cos(s + v) * v; } return s;", true },
        // A loop that can leave early is not counted: its pushes keep their check.
        { "double s = 1; for (int i = 0; i < x.Length; i++) { s = Math.Tanh(s * x[i]); if (s < -0.9) break; } return s;", false },
        // Nested loops: the inner one pushes doubles, the outer one ints and doubles.
        { "double s = 0; int o = 0; for (int i = 0; i < 3; i++) { for (int j = 0; j < x.Length; j++) { s = Math.Sin(s + x[j] * (o + 1)); } o = o * 2 + (s > 0 ? 1 : 0); s = s * s; } return s;", true },
        // A loop counting down with a step of 2.
        { "double p = 0; for (int i = x.Length - 1; i >= 0; i -= 2) p = Math.Exp(-p * x[i]) + p * p; return p;", true },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void LoopsReserveWhatTheyPushAndStillDifferentiateExactly(string body, bool reserved)
    {
        var run = Harness.Run(Harness.InClass("    [Differentiable] public static double F(ReadOnlySpan<double> x)\n    {\n        " + body + "\n    }\n"));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        string code = run.Sources.Single(s => s.Key.Contains("C.F.", StringComparison.Ordinal)).Value;
        Assert.Equal(reserved, code.Contains(".PushReserved(", StringComparison.Ordinal));
        CheckReservations(code);

        var type = run.Load().GetType("Demo.C")!;
        foreach (int n in new[] { 1, 4, 9 })
        {
            var r = new Random(n + body.Length);
            var point = Enumerable.Range(0, n).Select(_ => r.NextDouble() - 0.5).ToArray();
            var objective = (DifferentiableFunction)type.GetMethod("FObjective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new object[] { n })!;
            var check = GradientCheck.Check(objective, point, KnownBugs.Expect.Tight);
            Assert.True(check.Passed, "n = " + n + ": " + check);
        }
    }

    /// <summary>
    /// For each loop in the generated text with unchecked pushes on a stack: the statements right before it reserve on
    /// that stack at least that many values per iteration, and no loop inside it pushes on that stack.
    /// </summary>
    internal static void CheckReservations(string code)
    {
        var lines = code.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (!(line.StartsWith("for (", StringComparison.Ordinal) || line.StartsWith("while (", StringComparison.Ordinal)))
            {
                continue;
            }

            // The loop's body: from its opening brace to the matching closing one (one statement or brace per line).
            int open = i + 1;
            if (open >= lines.Length || lines[open].Trim() != "{")
            {
                continue;
            }

            int depth = 0, close = open;
            for (; close < lines.Length; close++)
            {
                depth += lines[close].Trim() == "{" ? 1 : lines[close].Trim() == "}" ? -1 : 0;
                if (depth == 0)
                {
                    break;
                }
            }

            // Unchecked pushes of this loop's own body (not of loops nested in it), by stack.
            var own = new Dictionary<string, int>(StringComparer.Ordinal);
            var nestedStacks = new HashSet<string>(StringComparer.Ordinal);
            int nestedDepth = 0, braces = 0;
            var nestedAt = new Stack<int>();
            for (int j = open + 1; j < close; j++)
            {
                string t = lines[j].Trim();
                if (t.StartsWith("for (", StringComparison.Ordinal) || t.StartsWith("while (", StringComparison.Ordinal))
                {
                    nestedAt.Push(braces);
                    nestedDepth++;
                }
                else if (t == "{")
                {
                    braces++;
                }
                else if (t == "}")
                {
                    braces--;
                    if (nestedAt.Count > 0 && nestedAt.Peek() == braces)
                    {
                        nestedAt.Pop();
                        nestedDepth--;
                    }
                }

                var push = Regex.Match(t, @"^(\w+)\.Push(Reserved)?\(");
                if (!push.Success)
                {
                    continue;
                }

                if (nestedDepth > 0)
                {
                    nestedStacks.Add(push.Groups[1].Value);
                }
                else if (push.Groups[2].Success)
                {
                    own[push.Groups[1].Value] = own.TryGetValue(push.Groups[1].Value, out int c) ? c + 1 : 1;
                }
            }

            foreach (var (stack, count) in own)
            {
                Assert.DoesNotContain(stack, nestedStacks);
                int reserved = 0;
                for (int j = i - 1; j >= 0; j--)
                {
                    string t = lines[j].Trim();
                    var reserve = Regex.Match(t, "^" + stack + @"\.Reserve\(.*, (\d+)\);$");
                    if (reserve.Success)
                    {
                        reserved = Math.Max(reserved, int.Parse(reserve.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
                        continue;
                    }

                    // Between the reservation and the loop (in the same block): comments, the loop variables' initial
                    // values, any statement but a push, a loop or the end of a block.
                    if (t.StartsWith("//", StringComparison.Ordinal) || (t != "{" && t != "}" && !t.Contains(".Push", StringComparison.Ordinal)
                        && !t.StartsWith("for (", StringComparison.Ordinal) && !t.StartsWith("while (", StringComparison.Ordinal) && t.EndsWith(';')))
                    {
                        continue;
                    }

                    break;
                }

                Assert.True(reserved >= count, "the loop at line " + (i + 1) + " pushes " + count + " on " + stack + " unchecked and reserves " + reserved + ":\n" + code);
            }
        }
    }
}
