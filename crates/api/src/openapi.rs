use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::dto::*;
use crate::error::{ErrorBody, ErrorDetail};
use crate::routes::ivr::{FlowDto, FlowSummary, FlowVersionDto, IvrNumber, SetIvrNumber};
use crate::routes::broadcasts::{BroadcastDto, SetBroadcast};
use crate::routes::interactions::{CustomerDto, InteractionDto, PatchInteraction, RecordingDto, ScreenPopDto, SurveyDto};
use crate::routes::prompts::PromptDto;
use crate::routes::{agents, auth, broadcasts, customers, events, interactions, softphone, ivr, ops, prompts, queues, sip_guard, skills, users, work};

#[derive(OpenApi)]
#[openapi(
    info(title = "Hotline API", description = "Contact-center platform: routing, agents, queues, events."),
    paths(
        auth::login, auth::logout, auth::unlock, auth::me, auth::change_password, auth::my_sessions, auth::revoke_session, auth::totp_start, auth::totp_confirm, auth::totp_disable, users::list, users::patch,
        skills::list, skills::create, skills::patch,
        queues::list, queues::get, queues::create, queues::patch, queues::stats,
        agents::list, agents::get, agents::create, agents::patch, agents::set_sip_password, agents::reason_codes, agents::wrap_up_codes,
        work::get_state, work::list_states, work::set_state, work::end_wrap_up, work::accept, work::reject,
        work::submit, work::finish, work::abandon, work::audit_log,
        ivr::list, ivr::get, ivr::save, ivr::publish, ivr::numbers, ivr::set_number,
        prompts::list, prompts::upload, prompts::get,
        interactions::list, interactions::get, interactions::audio, interactions::screen_pop, interactions::patch, customers::search, customers::get,
        broadcasts::list, broadcasts::set, broadcasts::clear,
        softphone::set, softphone::answer, softphone::hangup, softphone::call_token, softphone::call_in, softphone::call_in_hangup,
        sip_guard::get, sip_guard::unban,
        events::stream, events::ticket,
        ops::healthz, ops::readyz, ops::metrics,
    ),
    components(schemas(ErrorBody, ErrorDetail, users::UserDto, users::PatchUser, LoginRequest, LoginResponse, Me, SkillDto, NewSkill, PatchSkill, QueueDto, NewQueue,
        PatchQueue, StepDto, SkillRequirement, AgentDto, NewAgent, PatchAgent, AgentSkillDto, CapacityDto, SetAgentState,
        AgentStateDto, OfferDto, QueueStatsDto, AgentCounts, NewContactReq, ContactCreated, FinishReq, ReasonCodeDto,
        WrapUpCodeDto, AuditDto, Health, FlowDto, FlowSummary, FlowVersionDto, IvrNumber, SetIvrNumber, PromptDto,
        InteractionDto, RecordingDto, SurveyDto, CallerExperienceDto,
        BroadcastDto, SetBroadcast, crate::routes::agents::SetSipPassword,
        CustomerDto, ScreenPopDto, PatchInteraction, softphone::SetSoftphone, softphone::WebCallDto, softphone::CallTokenDto, customers::CustomerPageDto,
        sip_guard::SipGuardDto, sip_guard::BanDto, events::TicketDto, auth::ChangePassword, auth::SessionDto, auth::TotpEnrolmentDto, auth::TotpCode, auth::RecoveryCodesDto)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}
