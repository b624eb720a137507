using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SymbolicGrad.Generator.Diagnostics;
using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Models;

namespace SymbolicGrad.Generator.Lowering;

/// <summary>Every construct the lowering refuses, each reported at its own node with what to do instead.</summary>
internal sealed partial class Lowerer
{
    private void Report(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));

    private Expr Unsupported(IOperation op, string what, string advice)
    {
        Report(DiagnosticDescriptors.UnsupportedExpression, op.Syntax.GetLocation(), SourceText(op.Syntax), what, advice);
        return Poison(op.Type);
    }

    private Expr NotYet(IOperation op, string what, string advice)
    {
        Report(DiagnosticDescriptors.NotSupportedYet, op.Syntax.GetLocation(), what, advice);
        return Poison(op.Type);
    }

    private void ReportStatement(IOperation s)
    {
        var location = s.Syntax.GetLocation();
        switch (s)
        {
            case ITryOperation:
                Report(DiagnosticDescriptors.TryStatement, location, s.Syntax is TryStatementSyntax { Finally: not null, Catches.Count: 0 } ? "try/finally" : "try/catch");
                return;
            case ILockOperation:
                Report(DiagnosticDescriptors.LockStatement, location);
                return;
            case IBranchOperation branch when branch.BranchKind == BranchKind.GoTo:
                Report(DiagnosticDescriptors.GotoStatement, location, "goto");
                return;
            case ILabeledOperation:
                Report(DiagnosticDescriptors.GotoStatement, location, "a label");
                return;
            case ILocalFunctionOperation:
                Report(DiagnosticDescriptors.DelegateOperation, location, "local function " + ((ILocalFunctionOperation)s).Symbol.Name, "is a local function");
                return;
            case IBranchOperation branch:
                Report(DiagnosticDescriptors.UnsupportedStatement, location, "'" + branch.BranchKind.ToString().ToLowerInvariant() + "'", "use if/else and return");
                return;
            case ISwitchOperation:
                Report(DiagnosticDescriptors.UnsupportedStatement, location, "A switch statement", "write it as if/else");
                return;
            case IUsingOperation or IUsingDeclarationOperation:
                Report(DiagnosticDescriptors.UnsupportedStatement, location, "A using statement", "dispose resources in the caller; a [Differentiable] method must be a pure computation");
                return;
            default:
                if (s.Kind == OperationKind.None && s.Syntax is CheckedStatementSyntax)
                {
                    Report(DiagnosticDescriptors.UnsupportedStatement, location, "A checked or unchecked block", "remove it");
                    return;
                }

                Report(DiagnosticDescriptors.UnsupportedStatement, location, "'" + SourceText(s.Syntax) + "'", "a [Differentiable] method may contain local declarations, assignments, if/else, return and throw");
                return;
        }
    }

    private void ReportExpression(IOperation op)
    {
        var location = op.Syntax.GetLocation();
        string text = SourceText(op.Syntax);
        switch (op)
        {
            case IDynamicInvocationOperation or IDynamicMemberReferenceOperation or IDynamicIndexerAccessOperation or IDynamicObjectCreationOperation:
                Report(DiagnosticDescriptors.DynamicOperation, location, text);
                return;
            case IAnonymousFunctionOperation or IDelegateCreationOperation:
                Report(DiagnosticDescriptors.DelegateOperation, location, text, "creates a delegate");
                return;
            case ISimpleAssignmentOperation or ICompoundAssignmentOperation or IIncrementOrDecrementOperation:
                Report(DiagnosticDescriptors.UnsupportedExpression, location, text, "an assignment inside an expression", "write the assignment as its own statement");
                return;
            default:
                if (op.Type?.TypeKind == TypeKind.Dynamic || op.Descendants().Any(d => d.Type?.TypeKind == TypeKind.Dynamic))
                {
                    Report(DiagnosticDescriptors.DynamicOperation, location, text);
                    return;
                }

                Report(DiagnosticDescriptors.UnsupportedExpression, location, text, Describe(op), "use arithmetic, the Math functions, comparisons, ?: and calls to [Differentiable] methods");
                return;
        }
    }

    internal static string LoopKeyword(ILoopOperation loop) => loop.LoopKind switch
    {
        LoopKind.For => "for",
        LoopKind.ForEach => "foreach",
        LoopKind.While => loop.Syntax is DoStatementSyntax ? "do" : "while",
        _ => "loop",
    };

    private static string Describe(IOperation op)
    {
        var kind = op.Kind.ToString();
        var words = new System.Text.StringBuilder();
        foreach (char c in kind)
        {
            if (char.IsUpper(c) && words.Length > 0)
            {
                words.Append(' ');
            }

            words.Append(char.ToLowerInvariant(c));
        }

        return "a " + words;
    }
}
