import { Tag } from "antd";
import type { Interaction } from "../api";
import { translateId, type Lang } from "../i18n";
import type { Namer } from "../names";

/** One past interaction in a list: when, (channel,) queue, outcome and
 * wrap-up code, each in the user's language. */
export function InteractionLine(props: { lang: Lang; name: Namer; i: Interaction; channel?: boolean }) {
  const { i, lang } = props;
  const outcome = i.outcome ? (translateId(lang, `outcome_${i.outcome}`) ?? i.outcome) : "—";
  return (
    <>
      <span>{new Date(i.arrived_at).toLocaleString()}</span>
      {props.channel && <> · <span>{i.channel}</span></>} · <span>{i.queue_id ? props.name("queue", i.queue_id) : "—"}</span> · <span>{outcome}</span>{" "}
      {i.wrap_up_code && <Tag className="badge">{props.name("wrap_up", i.wrap_up_code)}</Tag>}
    </>
  );
}
