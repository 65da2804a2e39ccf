//! The field and global names the runtime's native steps read and write, interned once per
//! Lua state: looking a name up in piccolo's interner costs about as much as the table read
//! it is for, and the steps of one message read some fifty.

use gc_arena::{Collect, Rootable};
use piccolo::Context;

macro_rules! names {
    ($($field:ident = $text:literal,)*) => {
        /// The names, each a Lua string (`n.Tags` is `"Tags"`).
        #[derive(Collect, Clone, Copy)]
        #[collect(no_drop)]
        #[allow(non_snake_case)]
        pub(crate) struct Names<'gc> {
            $(pub $field: piccolo::String<'gc>,)*
        }

        impl<'gc> piccolo::Singleton<'gc> for Names<'gc> {
            fn create(ctx: Context<'gc>) -> Self {
                Names { $($field: ctx.intern($text),)* }
            }
        }
    };
}

names! {
    name = b"name",
    value = b"value",
    pattern = b"pattern",
    handle = b"handle",
    maxRuns = b"maxRuns",
    Authority = b"Authority",
    ao = b"ao",
    Utils = b"Utils",
    Tab = b"Tab",
    Prompt = b"Prompt",
    Handlers = b"Handlers",
    init = b"init",
    clearOutbox = b"clearOutbox",
    normalize = b"normalize",
    utilsNormalize = b"utilsNormalize",
    isTrusted = b"isTrusted",
    isAssignment = b"isAssignment",
    result = b"result",
    add = b"add",
    append = b"append",
    generateResolver = b"generateResolver",
    list = b"list",
    evalPattern = b"evalPattern",
    evalResolver = b"evalResolver",
    defaultPattern = b"defaultPattern",
    defaultResolver = b"defaultResolver",
    _eval = b"_eval",
    _default = b"_default",
    Seeded = b"Seeded",
    Name = b"Name",
    Errors = b"Errors",
    Inbox = b"Inbox",
    Owner = b"Owner",
    Colors = b"Colors",
    HANDLER_PRINT_LOGS = b"HANDLER_PRINT_LOGS",
    id = b"id",
    _module = b"_module",
    env = b"env",
    outbox = b"outbox",
    authorities = b"authorities",
    nonExtractableTags = b"nonExtractableTags",
    Process = b"Process",
    Id = b"Id",
    Tags = b"Tags",
    TagArray = b"TagArray",
    From = b"From",
    Target = b"Target",
    Action = b"Action",
    Nonce = b"Nonce",
    Error = b"Error",
    Output = b"Output",
    Messages = b"Messages",
    Spawns = b"Spawns",
    Assignments = b"Assignments",
    data = b"data",
    prompt = b"prompt",
    print = b"print",
    green = b"green",
    gray = b"gray",
    blue = b"blue",
    red = b"red",
    reset = b"reset",
    matchesSpec = b"matchesSpec",
    Data = b"Data",
    Anchor = b"Anchor",
    reference = b"reference",
    DataProtocol = b"Data-Protocol",
    Variant = b"Variant",
    aoTN1 = b"ao.TN.1",
    Type = b"Type",
    Message = b"Message",
    Reference = b"Reference",
    Timestamp = b"Timestamp",
    BlockHeight = b"Block-Height",
    Cron = b"Cron",
    ReadOnly = b"Read-Only",
    Module = b"Module",
    matchesPattern = b"matchesPattern",
}

/// The names of this Lua state.
/// (A reference: the struct holds about a hundred names, and the native steps of one message
/// ask for it some twenty times.)
pub(crate) fn names<'gc>(ctx: Context<'gc>) -> &'gc Names<'gc> {
    ctx.singleton::<Rootable![Names<'_>]>()
}

/// The raw field `name` of a table (no metamethod: the callers read plain tables).
pub(crate) fn get<'gc>(t: piccolo::Table<'gc>, name: piccolo::String<'gc>) -> piccolo::Value<'gc> {
    t.get_value(piccolo::Value::String(name))
}
