using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SymbolicGrad.Generator.Diagnostics;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Lowering;

/// <summary>Loops, arrays and spans.</summary>
internal sealed partial class Lowerer
{
    private readonly List<LoopContext> _loops = new();
    private readonly HashSet<Var> _localArrays = new();
    private Var? _exitFlag;

    /// <summary>The bool set when a loop returns from the method (created on first use).</summary>
    public Var ExitFlag => _exitFlag ??= _vars.New("returned", IrType.Bool, VarRole.Internal);

    public bool HasExitFlag => _exitFlag is not null;

    /// <summary>One loop being lowered: the values it carries, as (key, loop variable, snapshot).</summary>
    private sealed class LoopContext
    {
        public LoopContext(LoopStmt loop, List<(object Key, Var LoopVar, Var Snapshot)> carried)
        {
            Loop = loop;
            Carried = carried;
        }

        public LoopStmt Loop { get; }

        public List<(object Key, Var LoopVar, Var Snapshot)> Carried { get; }
    }

    /// <summary>Ends a path through a loop body: moves the carried values into the loop variables, then jumps.</summary>
    private void EndIteration(Block block, Env env, Stmt jump)
    {
        var context = _loops[_loops.Count - 1];
        foreach (var (key, loopVar, snapshot) in context.Carried)
        {
            block.Statements.Add(new MoveStmt(loopVar, env.Get(key) ?? new VarExpr(snapshot)));
        }

        block.Statements.Add(jump);
    }

    private void LowerLoop(ILoopOperation loop, Env env)
    {
        if (_loops.Count == 0 && loop.Syntax.Parent is not BlockSyntax and not MethodDeclarationSyntax && false)
        {
            return;
        }

        var ls = new LoopStmt { Source = LoopKeyword(loop) + " loop at line " + (loop.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        IOperation? body = loop.Body;
        IReadOnlyList<IOperation> step = Array.Empty<IOperation>();
        IOperation? condition = null;
        object? syntheticIndex = null;
        Var? foreachArray = null;
        Expr? foreachData = null;
        IrType? foreachDataElement = null;
        ILocalSymbol? foreachVariable = null;

        switch (loop)
        {
            case IForLoopOperation f:
                ls.Kind = IrLoopKind.For;
                foreach (var before in f.Before)
                {
                    LowerStatement(before, env);
                }

                condition = f.Condition;
                step = f.AtLoopBottom;
                break;
            case IWhileLoopOperation w:
                ls.Kind = w.ConditionIsTop ? IrLoopKind.While : IrLoopKind.Do;
                condition = w.Condition;
                break;
            case IForEachLoopOperation fe:
                ls.Kind = IrLoopKind.For;
                var collection = fe.Collection is IConversionOperation conv ? conv.Operand : fe.Collection;
                var lowered = LowerExpr(collection, env);
                if (lowered is VarExpr { Var: { Type.Kind: ValueKind.Array } array } && array.Type.Element is { Kind: not ValueKind.Array and not ValueKind.Other })
                {
                    foreachArray = array;
                }
                else if (collection.Type is IArrayTypeSymbol { Rank: 1 } or INamedTypeSymbol { Name: "Span" or "ReadOnlySpan" } && IsData(lowered))
                {
                    foreachData = lowered;
                    foreachDataElement = TypeOf(Discovery.MethodFacts.ArrayElement(collection.Type)!);
                }
                else
                {
                    Report(DiagnosticDescriptors.NotSupportedYet, fe.Collection.Syntax.GetLocation(), "foreach over anything but an array or span parameter or local, or data", "loop with for over an index");
                    return;
                }

                foreachVariable = (fe.LoopControlVariable as IVariableDeclaratorOperation)?.Symbol;
                if (foreachVariable is null)
                {
                    Report(DiagnosticDescriptors.UnsupportedStatement, fe.LoopControlVariable.Syntax.GetLocation(), "A deconstructing foreach", "name the element");
                    return;
                }

                syntheticIndex = new object();
                break;
            default:
                Report(DiagnosticDescriptors.UnsupportedStatement, loop.Syntax.GetLocation(), "This loop", "use for, foreach, while or do");
                return;
        }

        // What the loop carries: everything its body and step assign that exists before the loop.
        var assigned = AssignedSymbols(body).Concat(step.SelectMany(AssignedSymbols))
            .Where(env.Has)
            .Distinct(SymbolEqualityComparer.Default)
            .OrderBy(sym => sym!.Name, StringComparer.Ordinal)
            .ThenBy(sym => sym!.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0)
            .Cast<ISymbol>()
            .ToList();
        var keys = new List<object>();
        if (syntheticIndex is not null)
        {
            env.Set(syntheticIndex, new LiteralExpr("0", IrType.Int32));
            keys.Add(syntheticIndex);
        }

        keys.AddRange(assigned);
        var carried = new List<(object Key, Var LoopVar, Var Snapshot)>();
        var headerEnv = env.Copy();
        var bodyEnv = env.Copy();
        foreach (var key in keys)
        {
            var init = env.Get(key)!;
            if (init.Type.Kind == ValueKind.Array)
            {
                Report(DiagnosticDescriptors.UnsupportedExpression, loop.Syntax.GetLocation(), KeyName(key), "an array variable reassigned in a loop", "keep one array per local");
                return;
            }

            var loopVar = _vars.New(KeyName(key), init.Type, VarRole.LoopVar);
            var snapshot = _vars.New(KeyName(key), init.Type, VarRole.Local);
            ls.LoopVars.Add(loopVar);
            ls.Inits.Add(init);
            ls.Snapshots.Add(snapshot);
            carried.Add((key, loopVar, snapshot));
            headerEnv.Set(key, new VarExpr(loopVar));
            bodyEnv.Set(key, new VarExpr(snapshot));
        }

        // The header: condition and step read the loop variables and must not need statements of their own.
        var scratch = new Block();
        var outer = _current;
        _current = scratch;
        if (foreachArray is not null || foreachData is not null)
        {
            var index = new VarExpr(carried[0].LoopVar);
            var length = foreachArray is not null ? Length(foreachArray) : new InlineExpr(InlineForm.Member, "Length", new[] { foreachData! }, IrType.Int32, Printer.Primary);
            ls.Condition = new InlineExpr(InlineForm.Binary, "<", new Expr[] { index, length }, IrType.Bool, Printer.Relational);
            ls.Step.Add((carried[0].LoopVar, new InlineExpr(InlineForm.Binary, "+", new Expr[] { index, new LiteralExpr("1", IrType.Int32) }, IrType.Int32, Printer.Additive)));
            ls.Index = new CanonicalIndex(carried[0].LoopVar, 1);
        }
        else
        {
            if (condition is not null)
            {
                ls.Condition = LowerExpr(condition, headerEnv);
            }

            foreach (var update in step)
            {
                LowerStep(update, headerEnv, carried, ls);
            }

            ls.Index = CanonicalIndexOf(loop, body, step, carried);
        }

        _current = outer;
        if (scratch.Statements.Count > 0)
        {
            Report(DiagnosticDescriptors.UnsupportedExpression, (condition ?? loop).Syntax.GetLocation(), SourceText((condition ?? loop).Syntax), "a loop condition that needs a ?: of real values",
                "compute the value in the body and test a local");
        }

        // The body, with the loop's exits as its terminals.
        var context = new LoopContext(ls, carried);
        _loops.Add(context);
        var bodyBlock = new Block();
        var savedCurrent = _current;
        _current = bodyBlock;
        if (foreachArray is not null)
        {
            var element = new ElementExpr(foreachArray, new VarExpr(carried[0].Snapshot), !_localArrays.Contains(foreachArray));
            Define(foreachVariable!, element, bodyEnv, loop.Syntax);
        }
        else if (foreachData is not null)
        {
            var element = new InlineExpr(InlineForm.Index, string.Empty, new[] { foreachData, new VarExpr(carried[0].Snapshot) }, foreachDataElement!, Printer.Primary);
            Define(foreachVariable!, element, bodyEnv, loop.Syntax);
        }

        LowerList(Flatten(body), 0, bodyBlock, bodyEnv);
        _current = savedCurrent;
        _loops.RemoveAt(_loops.Count - 1);
        ls.Body = bodyBlock;
        _current.Statements.Add(ls);

        foreach (var (key, loopVar, _) in carried)
        {
            env.Set(key, new VarExpr(loopVar));
        }
    }

    private void LowerStep(IOperation update, Env headerEnv, List<(object Key, Var LoopVar, Var Snapshot)> carried, LoopStmt ls)
    {
        var op = update is IExpressionStatementOperation es ? es.Operation : update;
        IOperation? target = op switch
        {
            IIncrementOrDecrementOperation inc => inc.Target,
            ICompoundAssignmentOperation ca => ca.Target,
            ISimpleAssignmentOperation sa => sa.Target,
            _ => null,
        };
        var symbol = target switch
        {
            ILocalReferenceOperation l => (ISymbol)l.Local,
            IParameterReferenceOperation p => p.Parameter,
            _ => null,
        };
        var entry = carried.FirstOrDefault(c => c.Key is ISymbol s && SymbolEqualityComparer.Default.Equals(s, symbol));
        if (symbol is null || entry.LoopVar is null || entry.LoopVar.Type.Kind != ValueKind.Integer)
        {
            Report(DiagnosticDescriptors.UnsupportedStatement, update.Syntax.GetLocation(), "'" + SourceText(update.Syntax) + "' in a for-statement's increment",
                "the increment may only update integer counters: move other updates into the loop body");
            return;
        }

        var current = new VarExpr(entry.LoopVar);
        Expr value = op switch
        {
            IIncrementOrDecrementOperation inc => Binary(inc.Kind == OperationKind.Increment ? BinaryOperatorKind.Add : BinaryOperatorKind.Subtract, current, new LiteralExpr("1", current.Type), current.Type, update.Syntax),
            ICompoundAssignmentOperation ca => Binary(ca.OperatorKind, current, LowerExpr(ca.Value, headerEnv), current.Type, update.Syntax),
            ISimpleAssignmentOperation sa => LowerExpr(sa.Value, headerEnv),
            _ => current,
        };
        ls.Step.Add((entry.LoopVar, value));
    }

    /// <summary>A for loop whose only step is i += c (c a constant) on an int the body never assigns: i is recomputed in the reverse sweep.</summary>
    private static CanonicalIndex? CanonicalIndexOf(ILoopOperation loop, IOperation? body, IReadOnlyList<IOperation> step, List<(object Key, Var LoopVar, Var Snapshot)> carried)
    {
        if (loop is not IForLoopOperation || step.Count != 1)
        {
            return null;
        }

        var op = step[0] is IExpressionStatementOperation es ? es.Operation : step[0];
        (IOperation? target, int delta) = op switch
        {
            IIncrementOrDecrementOperation inc => (inc.Target, inc.Kind == OperationKind.Increment ? 1 : -1),
            ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add, Value.ConstantValue: { HasValue: true, Value: int c } } ca => (ca.Target, c),
            ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Subtract, Value.ConstantValue: { HasValue: true, Value: int c } } ca => (ca.Target, -c),
            _ => (null, 0),
        };
        if (target is not ILocalReferenceOperation { Local: var local } || local.Type.SpecialType != SpecialType.System_Int32 || delta == 0)
        {
            return null;
        }

        if (AssignedSymbols(body).Any(s => SymbolEqualityComparer.Default.Equals(s, local)))
        {
            return null;
        }

        var entry = carried.FirstOrDefault(c => c.Key is ISymbol s && SymbolEqualityComparer.Default.Equals(s, local));
        return entry.LoopVar is null ? null : new CanonicalIndex(entry.LoopVar, delta);
    }

    private static IEnumerable<ISymbol> AssignedSymbols(IOperation? op)
    {
        if (op is null)
        {
            yield break;
        }

        foreach (var d in op.DescendantsAndSelf())
        {
            var target = d switch
            {
                ISimpleAssignmentOperation a => a.Target,
                ICompoundAssignmentOperation c => c.Target,
                IIncrementOrDecrementOperation i => i.Target,
                _ => null,
            };
            switch (target)
            {
                case ILocalReferenceOperation l:
                    yield return l.Local;
                    break;
                case IParameterReferenceOperation p:
                    yield return p.Parameter;
                    break;
            }
        }
    }

    private static Expr Length(Var array) =>
        new InlineExpr(InlineForm.Member, "Length", new Expr[] { new VarExpr(array) }, IrType.Int32, Printer.Primary);

    /// <summary>double[] a = new double[n]; or Span&lt;double&gt; a = stackalloc double[n];</summary>
    private bool TryLowerArrayCreation(ILocalSymbol symbol, IOperation value, Env env)
    {
        var type = TypeOf(symbol.Type);
        if (type.Kind != ValueKind.Array)
        {
            return false;
        }

        var creation = value is IConversionOperation conv ? conv.Operand : value;
        IOperation? size = null;
        bool stack = false;
        if (creation is IArrayCreationOperation { DimensionSizes.Length: 1, Initializer: null } ac)
        {
            size = ac.DimensionSizes[0];
        }
        else if (creation.Syntax is StackAllocArrayCreationExpressionSyntax { Type: ArrayTypeSyntax { RankSpecifiers.Count: 1 } st } && st.RankSpecifiers[0].Sizes.Count == 1)
        {
            size = creation.Descendants().FirstOrDefault(d => d.Syntax == st.RankSpecifiers[0].Sizes[0]) ?? creation.ChildOperations.FirstOrDefault();
            stack = true;
        }

        if (size is null)
        {
            return false;
        }

        if (_loops.Count > 0)
        {
            // Reported, and still declared, so that its uses do not report again.
            Report(DiagnosticDescriptors.NotSupportedYet, value.Syntax.GetLocation(), "Creating an array inside a loop", "create it once before the loop and reuse it");
        }
        else if (_branchDepth > 0)
        {
            Report(DiagnosticDescriptors.NotSupportedYet, value.Syntax.GetLocation(), "Creating an array inside an if/else branch", "create it before the if");
        }

        var array = _vars.New(symbol.Name, type, VarRole.Local);
        array.Source = SourceText(value.Syntax);
        _localArrays.Add(array);
        _current.Statements.Add(new ArrayDeclStmt(array, LowerExpr(size, env), stack));
        env.Set(symbol, new VarExpr(array));
        return true;
    }

    private static bool IsElementTarget(IOperation target) =>
        target is IArrayElementReferenceOperation
        || (target is IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { Type: { } t } } && Discovery.MethodFacts.ArrayElement(t) is not null);

    private void LowerElementAssignment(IOperation target, Env env, Func<Expr, Expr> value, SyntaxNode syntax)
    {
        var (arrayOp, indexOp) = target switch
        {
            IArrayElementReferenceOperation a => (a.ArrayReference, a.Indices.Length == 1 ? a.Indices[0] : null),
            IPropertyReferenceOperation p => (p.Instance!, p.Arguments.Length == 1 ? p.Arguments[0].Value : null),
            _ => (target, null),
        };
        var array = LowerExpr(arrayOp, env);
        if (array is not VarExpr { Var: var arrayVar } || !_localArrays.Contains(arrayVar))
        {
            Report(DiagnosticDescriptors.SideEffect, target.Syntax.GetLocation(), target.Syntax.ToString(), "an element of an array the method did not create");
            return;
        }

        if (indexOp is null)
        {
            Report(DiagnosticDescriptors.UnsupportedExpression, target.Syntax.GetLocation(), SourceText(target.Syntax), "a multi-dimensional index", "use one-dimensional arrays");
            return;
        }

        var index = LowerExpr(indexOp, env);
        var current = new ElementExpr(arrayVar, index, readOnlyArray: false);
        _current.Statements.Add(new ElementAssignStmt(arrayVar, index, value(current)));
    }

    private Expr LowerElementRead(IOperation arrayOp, IReadOnlyList<IOperation> indexOps, Env env, IOperation op)
    {
        var array = LowerExpr(arrayOp, env);
        bool scalarElements = array.Type.Element is { Kind: not ValueKind.Array and not ValueKind.Other };
        if (array is VarExpr { Var: { Type.Kind: ValueKind.Array } arrayVar } && scalarElements && indexOps.Count == 1 && IsIndex(indexOps[0]))
        {
            var index = LowerExpr(indexOps[0], env);
            return new ElementExpr(arrayVar, index, readOnlyArray: !_localArrays.Contains(arrayVar));
        }

        if (indexOps.Count == 0 || !indexOps.All(IsIndex))
        {
            return Unsupported(op, "a range or index-from-end index", "index with an int");
        }

        if (IsData(array))
        {
            // Data (a field, a row of a jagged data array, a multi-dimensional data array): read as written, never differentiated.
            var args = new List<Expr> { array };
            args.AddRange(indexOps.Select(i => LowerExpr(i, env)));
            return new InlineExpr(InlineForm.Index, string.Empty, args.ToArray(), TypeOf(op.Type!), Printer.Primary);
        }

        return NotYet(op, "Indexing anything but an array or span parameter or local, or data (fields, [NoDerivative] parameters)", "read from a parameter or a local array");
    }

    private static bool IsIndex(IOperation index) =>
        index.Type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int16 or SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_UInt16 or SpecialType.System_Char;

    /// <summary>
    /// An expression that only reads data: fields and properties of the type, parameters that are not differentiated
    /// ([NoDerivative], or not real), elements of those, integers. Its value never carries a derivative.
    /// </summary>
    private bool IsData(Expr e) => e switch
    {
        VarExpr { Var: var v } => v.Type.Kind is ValueKind.Integer or ValueKind.Bool
            || (v.Role == VarRole.Parameter && !v.Differentiable && !_localArrays.Contains(v)),
        InlineExpr i => i.Form is InlineForm.Text or InlineForm.Member or InlineForm.Index or InlineForm.MethodCall or InlineForm.Binary or InlineForm.Prefix or InlineForm.Cast
            && !i.Type.IsReal && i.Args.All(IsData),
        LiteralExpr or ConstExpr => true,
        _ => false,
    };

    /// <summary>Whether a local of this type names its value (an array: a reference) instead of copying it.</summary>
    private bool IsAliasOfData(ITypeSymbol type, Expr value) => type is IArrayTypeSymbol && IsData(value);
}
