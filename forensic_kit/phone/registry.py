"""The explicit list of phone parsers. Nothing is loaded dynamically, never from a user path."""

from __future__ import annotations

from forensic_kit.phone.android.accounts_db import AccountsDb
from forensic_kit.phone.android.androidqf_packages import AndroidqfPackages
from forensic_kit.phone.android.chrome_history import ChromeHistory
from forensic_kit.phone.android.fb_messenger_contacts import FbMessengerContacts
from forensic_kit.phone.android.fb_messenger_messages import FbMessengerMessages
from forensic_kit.phone.android.fb_messenger_threads import FbMessengerThreads
from forensic_kit.phone.android.imo_account import ImoAccount
from forensic_kit.phone.android.imo_messages import ImoMessages as AndroidImoMessages
from forensic_kit.phone.android.signal_db import SignalDb
from forensic_kit.phone.android.telegram_messages import TelegramMessages
from forensic_kit.phone.android.telegram_users import TelegramUsers
from forensic_kit.phone.android.tiktok_messages import TikTokMessages
from forensic_kit.phone.android.viber_contacts import ViberContacts
from forensic_kit.phone.android.viber_messages import ViberMessages
from forensic_kit.phone.android.dumpsys_appops import DumpsysAppops
from forensic_kit.phone.android.dumpsys_package import DumpsysPackage
from forensic_kit.phone.android.getprop import GetProp
from forensic_kit.phone.android.processes import Processes
from forensic_kit.phone.android.settings_txt import SettingsTxt
from forensic_kit.phone.android.build_prop import BuildProp
from forensic_kit.phone.android.calls import Calls
from forensic_kit.phone.android.contacts import Contacts
from forensic_kit.phone.android.mms import Mms
from forensic_kit.phone.android.packages_xml import PackagesXml
from forensic_kit.phone.android.settings_xml import SettingsXml
from forensic_kit.phone.android.siminfo import SimInfo
from forensic_kit.phone.android.telephony_backup import TelephonyBackup
from forensic_kit.phone.android.sms import Sms as AndroidSms
from forensic_kit.phone.android.viber_calls import ViberCalls
from forensic_kit.phone.android.whatsapp_contacts import WhatsAppContacts
from forensic_kit.phone.android.whatsapp_groups import WhatsAppGroupParticipants, WhatsAppGroupParticipantUser
from forensic_kit.phone.android.whatsapp_messages import WhatsAppMessages as AndroidWhatsApp
from forensic_kit.phone.android.whatsapp_messages_legacy import WhatsAppMessagesLegacy
from forensic_kit.phone.android.wifi_config import WifiConfigStore
from forensic_kit.phone.base import FileParser, Parser, SqliteParser
from forensic_kit.phone.ios.accounts3 import Accounts3
from forensic_kit.phone.ios.addressbook import AddressBook
from forensic_kit.phone.ios.applications_plist import ApplicationsPlist
from forensic_kit.phone.ios.backup_info import BackupInfo
from forensic_kit.phone.ios.call_history import CallHistory
from forensic_kit.phone.ios.call_history_db import CallHistoryDb
from forensic_kit.phone.ios.commcenter import CommCenter
from forensic_kit.phone.ios.imo_contacts import ImoContacts as IosImoContacts
from forensic_kit.phone.ios.imo_messages import ImoMessages as IosImoMessages
from forensic_kit.phone.ios.ipod_plist import IPodPlist
from forensic_kit.phone.ios.lockdown import DataArk
from forensic_kit.phone.ios.manifest_db import ManifestDbApps
from forensic_kit.phone.ios.manifest_plist import ManifestPlist
from forensic_kit.phone.ios.safari_history import SafariHistory
from forensic_kit.phone.ios.sms import Sms as IosSms
from forensic_kit.phone.ios.telegram_encrypted import TelegramEncrypted as IosTelegramEncrypted
from forensic_kit.phone.ios.telegram_messages import TelegramMessages as IosTelegramMessages
from forensic_kit.phone.ios.telegram_peers import TelegramPeers as IosTelegramPeers
from forensic_kit.phone.ios.tiktok_contacts import TikTokContacts as IosTikTokContacts
from forensic_kit.phone.ios.tiktok_messages import TikTokMessages as IosTikTokMessages
from forensic_kit.phone.ios.viber_calls import ViberCalls as IosViberCalls
from forensic_kit.phone.ios.viber_contacts import ViberContacts as IosViberContacts
from forensic_kit.phone.ios.viber_messages import ViberMessages as IosViberMessages
from forensic_kit.phone.ios.whatsapp_calls import WhatsAppCalls as IosWhatsAppCalls
from forensic_kit.phone.ios.whatsapp_contacts import WhatsAppContacts as IosWhatsAppContacts
from forensic_kit.phone.ios.whatsapp_messages import WhatsAppMessages as IosWhatsApp
from forensic_kit.phone.ios.wifi import KnownNetworks, WifiPlist
from forensic_kit.phone.ios.wifi_bss import KnownNetworkBss

PARSERS: tuple[type[Parser], ...] = (
    # Android
    BuildProp, SettingsXml, SimInfo, AccountsDb, Contacts, Calls, ViberCalls, AndroidSms, Mms,
    AndroidWhatsApp, WhatsAppMessagesLegacy, WhatsAppContacts, WhatsAppGroupParticipants,
    WhatsAppGroupParticipantUser, PackagesXml, WifiConfigStore, TelephonyBackup,
    GetProp, AndroidqfPackages, SettingsTxt, Processes, DumpsysPackage, DumpsysAppops,
    ViberMessages, ViberContacts, AndroidImoMessages, ImoAccount, TelegramMessages, TelegramUsers, SignalDb,
    ChromeHistory, FbMessengerMessages, FbMessengerContacts, FbMessengerThreads, TikTokMessages,
    # iOS
    BackupInfo, ManifestPlist, ManifestDbApps, ApplicationsPlist, IPodPlist, DataArk, CommCenter, Accounts3, AddressBook,
    CallHistory, CallHistoryDb, IosSms, IosWhatsApp, IosWhatsAppCalls, IosWhatsAppContacts, KnownNetworks, KnownNetworkBss, WifiPlist,
    IosImoMessages, IosImoContacts, SafariHistory, IosViberMessages, IosViberContacts, IosViberCalls,
    IosTikTokMessages, IosTikTokContacts, IosTelegramMessages, IosTelegramPeers, IosTelegramEncrypted,
)


def parsers() -> list[Parser]:
    """One instance of every registered parser, in registration order."""
    return [cls() for cls in PARSERS]


def by_name() -> dict[str, type[Parser]]:
    """Registered parsers by their stable ``NAME`` (names are unique)."""
    out: dict[str, type[Parser]] = {}
    for cls in PARSERS:
        if cls.NAME in out:
            raise RuntimeError(f"duplicate phone parser name {cls.NAME}")
        out[cls.NAME] = cls
    return out


__all__ = ["PARSERS", "parsers", "by_name", "FileParser", "SqliteParser"]
