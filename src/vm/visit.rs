//! One traversal of piccolo's AST for the passes of the compile pipeline.
//!
//! A pass implements [`mutable::VisitMut`] (or [`read_only::Visit`]) and overrides only the
//! nodes it acts on; each default method recurses through the matching `walk_*` function,
//! which an override calls to visit the children. Children are visited in evaluation
//! order, which the rewrites rely on (helper calls and hidden temporaries must keep Lua's
//! order of side effects).
//!
//! Both flavours come from one macro so that the two traversals cannot drift apart.

macro_rules! visitor {
    ($(#[$doc:meta])* $module:ident, $Visit:ident $(, $mut:tt)?) => {
        $(#[$doc])*
        pub mod $module {
            use piccolo::compiler::parser::{
                AssignmentTarget, Block, CallSuffix, ConstructorField, Expression, FieldSuffix,
                ForStatement, FunctionDefinition, HeadExpression, PrimaryExpression, RecordKey,
                ReturnStatement, SimpleExpression, Statement, SuffixPart, SuffixedExpression,
            };

            pub trait $Visit<S> {
                fn block(&mut self, b: &$($mut)? Block<S>) {
                    walk_block(self, b)
                }

                fn statement(&mut self, s: &$($mut)? Statement<S>) {
                    walk_statement(self, s)
                }

                /// The body of a numeric `for`, with its counter `_name` in scope.
                fn numeric_for_body(&mut self, _name: &S, body: &$($mut)? Block<S>) {
                    self.block(body)
                }

                /// The body of a generic `for`, with its variables `_names` in scope.
                fn generic_for_body(&mut self, _names: &[S], body: &$($mut)? Block<S>) {
                    self.block(body)
                }

                /// A function body, from a statement or an expression.
                fn function(&mut self, f: &$($mut)? FunctionDefinition<S>) {
                    walk_function(self, f)
                }

                /// An operator chain: a head, then `tail` as a left fold.
                fn expression(&mut self, e: &$($mut)? Expression<S>) {
                    walk_expression(self, e)
                }

                fn head(&mut self, h: &$($mut)? HeadExpression<S>) {
                    walk_head(self, h)
                }

                fn simple(&mut self, s: &$($mut)? SimpleExpression<S>) {
                    walk_simple(self, s)
                }

                /// The key of a record field in a table constructor.
                fn record_key(&mut self, k: &$($mut)? RecordKey<S>) {
                    walk_record_key(self, k)
                }

                fn suffixed(&mut self, s: &$($mut)? SuffixedExpression<S>) {
                    walk_suffixed(self, s)
                }

                fn field(&mut self, f: &$($mut)? FieldSuffix<S>) {
                    walk_field(self, f)
                }

                /// The arguments of a call (method or function).
                fn call(&mut self, c: &$($mut)? CallSuffix<S>) {
                    walk_call(self, c)
                }
            }

            pub fn walk_block<S, V: $Visit<S> + ?Sized>(v: &mut V, b: &$($mut)? Block<S>) {
                for s in &$($mut)? b.statements {
                    v.statement(&$($mut)? s.inner);
                }
                if let Some(r) = &$($mut)? b.return_statement {
                    walk_return(v, &$($mut)? r.inner);
                }
            }

            pub fn walk_return<S, V: $Visit<S> + ?Sized>(
                v: &mut V,
                r: &$($mut)? ReturnStatement<S>,
            ) {
                for e in &$($mut)? r.returns {
                    v.expression(e);
                }
            }

            pub fn walk_statement<S, V: $Visit<S> + ?Sized>(
                v: &mut V,
                s: &$($mut)? Statement<S>,
            ) {
                match s {
                    Statement::If(i) => {
                        v.expression(&$($mut)? i.if_part.0);
                        v.block(&$($mut)? i.if_part.1);
                        for (c, b) in &$($mut)? i.else_if_parts {
                            v.expression(c);
                            v.block(b);
                        }
                        if let Some(b) = &$($mut)? i.else_part {
                            v.block(b);
                        }
                    }
                    Statement::While(w) => {
                        v.expression(&$($mut)? w.condition);
                        v.block(&$($mut)? w.block);
                    }
                    Statement::Do(b) => v.block(b),
                    Statement::For(ForStatement::Numeric {
                        name,
                        initial,
                        limit,
                        step,
                        body,
                    }) => {
                        v.expression(initial);
                        v.expression(limit);
                        if let Some(s) = step {
                            v.expression(s);
                        }
                        v.numeric_for_body(name, body);
                    }
                    Statement::For(ForStatement::Generic {
                        names,
                        arguments,
                        body,
                    }) => {
                        for a in arguments {
                            v.expression(a);
                        }
                        v.generic_for_body(names, body);
                    }
                    Statement::Repeat(r) => {
                        v.block(&$($mut)? r.body);
                        v.expression(&$($mut)? r.until);
                    }
                    Statement::Function(f) => v.function(&$($mut)? f.definition),
                    Statement::LocalFunction(f) => v.function(&$($mut)? f.definition),
                    Statement::LocalStatement(l) => {
                        for e in &$($mut)? l.values {
                            v.expression(e);
                        }
                    }
                    Statement::FunctionCall(c) => {
                        v.suffixed(&$($mut)? c.head);
                        v.call(&$($mut)? c.call);
                    }
                    Statement::Assignment(a) => {
                        for t in &$($mut)? a.targets {
                            if let AssignmentTarget::Field(s, f) = t {
                                v.suffixed(s);
                                v.field(f);
                            }
                        }
                        for e in &$($mut)? a.values {
                            v.expression(e);
                        }
                    }
                    Statement::Label(_) | Statement::Break | Statement::Goto(_) => {}
                }
            }

            pub fn walk_function<S, V: $Visit<S> + ?Sized>(
                v: &mut V,
                f: &$($mut)? FunctionDefinition<S>,
            ) {
                v.block(&$($mut)? f.body);
            }

            pub fn walk_expression<S, V: $Visit<S> + ?Sized>(
                v: &mut V,
                e: &$($mut)? Expression<S>,
            ) {
                v.head(&$($mut)? *e.head);
                for (_, r) in &$($mut)? e.tail {
                    v.expression(r);
                }
            }

            pub fn walk_head<S, V: $Visit<S> + ?Sized>(
                v: &mut V,
                h: &$($mut)? HeadExpression<S>,
            ) {
                match h {
                    HeadExpression::Simple(s) => v.simple(s),
                    HeadExpression::UnaryOperator(_, e) => v.expression(e),
                }
            }

            pub fn walk_simple<S, V: $Visit<S> + ?Sized>(
                v: &mut V,
                s: &$($mut)? SimpleExpression<S>,
            ) {
                match s {
                    SimpleExpression::TableConstructor(t) => {
                        for f in &$($mut)? t.fields {
                            match f {
                                ConstructorField::Array(e) => v.expression(e),
                                ConstructorField::Record(k, e) => {
                                    v.record_key(k);
                                    v.expression(e);
                                }
                            }
                        }
                    }
                    SimpleExpression::Function(f) => v.function(f),
                    SimpleExpression::Suffixed(s) => v.suffixed(s),
                    _ => {}
                }
            }

            pub fn walk_record_key<S, V: $Visit<S> + ?Sized>(
                v: &mut V,
                k: &$($mut)? RecordKey<S>,
            ) {
                if let RecordKey::Indexed(e) = k {
                    v.expression(e);
                }
            }

            pub fn walk_suffixed<S, V: $Visit<S> + ?Sized>(
                v: &mut V,
                s: &$($mut)? SuffixedExpression<S>,
            ) {
                if let PrimaryExpression::GroupedExpression(e) = &$($mut)? s.primary {
                    v.expression(e);
                }
                for p in &$($mut)? s.suffixes {
                    match p {
                        SuffixPart::Field(f) => v.field(f),
                        SuffixPart::Call(c) => v.call(c),
                    }
                }
            }

            pub fn walk_field<S, V: $Visit<S> + ?Sized>(v: &mut V, f: &$($mut)? FieldSuffix<S>) {
                if let FieldSuffix::Indexed(e) = f {
                    v.expression(e);
                }
            }

            pub fn walk_call<S, V: $Visit<S> + ?Sized>(v: &mut V, c: &$($mut)? CallSuffix<S>) {
                let (CallSuffix::Method(_, args) | CallSuffix::Function(args)) = c;
                for a in args {
                    v.expression(a);
                }
            }
        }
    };
}

visitor!(
    /// The visitor for rewrites, which change nodes in place.
    mutable,
    VisitMut,
    mut
);

visitor!(
    /// The visitor for checks and analyses, which only read.
    read_only,
    Visit
);
