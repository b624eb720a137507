using Xunit.Abstractions;

namespace SymbolicGrad.Generator.Tests.Adversarial;

public class RedTeamCs14DevTests
{
    private readonly ITestOutputHelper _output;

    public RedTeamCs14DevTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void RunAll()
    {
        var only = Environment.GetEnvironmentVariable("RTCS14_ONLY");
        var cases = AdversarialCases.RedTeamCs14Cases().Where(c => string.IsNullOrEmpty(only) || only.Split(',').Contains(c.Name)).ToList();
        var results = AdversarialRunner.Run(cases);
        int bad = 0;
        foreach (var c in cases)
        {
            var r = results[c.Name];
            if (!r.Passed)
            {
                bad++;
                File.WriteAllText("/tmp/rtcs14/" + c.Name + ".txt", r.Describe());
            }

            _output.WriteLine((r.Passed ? "ok    " : "FAIL  ") + c.Name + (r.Passed ? string.Empty : "  " + r.Failures[0].Split('\n')[0]));
        }

        Assert.True(bad == 0, bad + " failing");
    }
}
